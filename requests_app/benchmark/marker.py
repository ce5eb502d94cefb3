"""How generated data is recognised: every contact and user it makes has an address at the reserved domain
load.example (RFC 2606), where nothing is ever delivered."""

import unicodedata

from django.db.models import Exists, OuterRef

from partners.models import Contact, Organisation, User
from requests_app.benchmark.vocabulary import GENERATED_DOMAIN
from requests_app.models import Inquiry

GENERATED_EMAIL_SUFFIX = f"@{GENERATED_DOMAIN}"


class RealDataError(Exception):
    """The database holds data that was not generated; loading invented inquiries into it needs --force."""


def real_data_found() -> list[str]:
    """What in the database was not generated (inquiries, contacts, organisations, users); empty if nothing."""
    generated_contact = Contact.objects.filter(organisation=OuterRef("pk"), email__endswith=GENERATED_EMAIL_SUFFIX)
    checks = {
        "inquiries": Inquiry.objects.exclude(contact__email__endswith=GENERATED_EMAIL_SUFFIX),
        "contacts": Contact.objects.exclude(email__endswith=GENERATED_EMAIL_SUFFIX),
        "organisations": Organisation.objects.exclude(Exists(generated_contact)),
        "users": User.objects.exclude(email__endswith=GENERATED_EMAIL_SUFFIX),
    }
    return [name for name, rows in checks.items() if rows.exists()]


def generated_address(local_part: str) -> str:
    """An address at the generated domain, in plain ASCII (ø → o), lower case."""
    plain = unicodedata.normalize("NFKD", local_part.replace("ø", "o").replace("Ø", "O").replace("æ", "ae"))
    ascii_part = "".join(char for char in plain if char.isascii() and (char.isalnum() or char in ".-"))
    return f"{ascii_part.lower()}{GENERATED_EMAIL_SUFFIX}"
