"""Starting routing rules and reply templates; the secretariat edits them in the admin."""

from django.db import migrations

RULES = [
    # (position, name, unit code, goals, keywords, inquiry types, organisation kinds)
    (10, "Mobilitet i byen", "bym", [11], "mobilitet, buss, sykkel, kollektiv, transport, mobility, public transport, bus route, cycling", [], []),
    (20, "Klima, miljø og energi", "bym", [6, 7, 12, 13, 14, 15], "", [], []),
    (30, "Byutvikling og klima (stikkord)", "bym",
     [], "klima, utslipp, energi, overvann, byutvikling, arealplan, climate, emission, energy, urban planning", [], []),
    (40, "Utdanning", "oppvekst", [4], "", [], []),
    (50, "Barn og skole (stikkord)", "oppvekst", [], "skole, barnehage, elever, ungdom, school, kindergarten, pupils, youth", [], []),
    (60, "Helse og velferd", "helse", [3], "", [], []),
    (70, "Helse og omsorg (stikkord)", "helse", [], "helse, omsorg, eldre, velferd, health, elderly care, social care, elderly, welfare", [], []),
    (80, "Finansiering fra finansinstitusjoner", "naering", [], "", ["funding"], ["financial"]),
    (90, "Næringsliv og innovasjon", "naering", [8, 9], "", [], []),
]

TEMPLATES = [
    ("Be om mer informasjon", "nb", "Spørsmål om henvendelsen {reference}",
     "Hei {contact_name},\n\nTakk for henvendelsen «{title}». For å kunne behandle den trenger vi litt mer informasjon:\n\n"
     "[skriv spørsmålene her]\n\nSvar gjerne så snart du kan, og oppgi referansen {reference}.\n\nVennlig hilsen\n{staff_name}\n"
     "FN-senteret, Trondheim kommune"),
    ("Ask for more information", "en", "Question about your inquiry {reference}",
     "Dear {contact_name},\n\nThank you for your inquiry \"{title}\". To handle it we need some more information:\n\n"
     "[write the questions here]\n\nPlease reply as soon as you can and quote the reference {reference}.\n\nBest regards\n"
     "{staff_name}\nUN Centre, Trondheim kommune"),
    ("Foreløpig svar", "nb", "Foreløpig svar på henvendelsen {reference}",
     "Hei {contact_name},\n\nVi har ikke kunnet ta stilling til henvendelsen «{title}» ennå. Den behandles av {unit}, "
     "og vi regner med å kunne gi deg svar innen {decision_due}.\n\nVennlig hilsen\n{staff_name}\nFN-senteret, Trondheim kommune"),
    ("Interim reply", "en", "Interim reply to your inquiry {reference}",
     "Dear {contact_name},\n\nWe have not yet been able to decide on your inquiry \"{title}\". It is being handled by "
     "{unit}, and we expect to answer by {decision_due}.\n\nBest regards\n{staff_name}\nUN Centre, Trondheim kommune"),
]


def load(apps, schema_editor):
    RoutingRule = apps.get_model("requests_app", "RoutingRule")
    ReplyTemplate = apps.get_model("requests_app", "ReplyTemplate")
    MunicipalUnit = apps.get_model("partners", "MunicipalUnit")
    ServiceTargets = apps.get_model("requests_app", "ServiceTargets")
    units = {unit.code: unit for unit in MunicipalUnit.objects.all()}
    for position, name, code, goals, keywords, types, kinds in RULES:
        if code not in units or RoutingRule.objects.filter(name=name).exists():
            continue
        rule = RoutingRule.objects.create(
            name=name, position=position, unit=units[code], keywords=keywords, inquiry_types=types,
            organisation_kinds=kinds,
        )
        rule.sdg_goals.set(goals)
    for name, language, subject, body in TEMPLATES:
        ReplyTemplate.objects.get_or_create(name=name, language=language, defaults={"subject": subject, "body": body})
    ServiceTargets.objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("requests_app", "0004_triage_workspace"), ("partners", "0002_reference_data")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
