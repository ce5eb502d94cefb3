"""The municipal units of Trondheim kommune that take inquiries, and the staff role groups."""

from django.db import migrations

UNITS = [
    {
        "code": "sekretariat",
        "name_nb": "Sekretariatet for FN-senteret",
        "name_en": "Secretariat of the UN Centre",
        "description_nb": "Tar imot og fordeler henvendelser til FN-senteret, og følger opp samarbeid.",
        "description_en": "Receives and distributes the centre's inquiries, and follows up collaborations.",
        "email": "fn-senteret@trondheim.kommune.no",
        "is_secretariat": True,
    },
    {
        "code": "bym",
        "name_nb": "Byutvikling og miljø",
        "name_en": "Urban Development and Environment",
        "description_nb": "Klima, miljø, byutvikling, mobilitet, energi og arealplanlegging.",
        "description_en": "Climate, environment, urban development, mobility, energy and land-use planning.",
        "email": "byutvikling@trondheim.kommune.no",
    },
    {
        "code": "oppvekst",
        "name_nb": "Oppvekst og utdanning",
        "name_en": "Childhood and Education",
        "description_nb": "Barnehager, skoler, barn og unges oppvekst.",
        "description_en": "Kindergartens, schools, and children and young people.",
        "email": "oppvekst@trondheim.kommune.no",
    },
    {
        "code": "helse",
        "name_nb": "Helse og velferd",
        "name_en": "Health and Welfare",
        "description_nb": "Helse, omsorg, velferd og folkehelse.",
        "description_en": "Health, care, welfare and public health.",
        "email": "helse.velferd@trondheim.kommune.no",
    },
    {
        "code": "naering",
        "name_nb": "Næring og samfunn",
        "name_en": "Business and Society",
        "description_nb": "Næringsutvikling, innovasjon, kultur og samfunnsutvikling.",
        "description_en": "Business development, innovation, culture and community development.",
        "email": "naering@trondheim.kommune.no",
    },
]

GROUPS = ["Secretariat", "Executive", "Admin"]


def load_reference_data(apps, schema_editor):
    MunicipalUnit = apps.get_model("partners", "MunicipalUnit")
    Group = apps.get_model("auth", "Group")
    for unit in UNITS:
        MunicipalUnit.objects.get_or_create(code=unit["code"], defaults=unit)
    for name in GROUPS:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("partners", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(load_reference_data, migrations.RunPython.noop)]
