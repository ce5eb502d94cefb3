"""Which attachments a person may download: scoped like the messages they belong to, so any other is a 404.

Staff download what they may read on the inquiry page (internal notes' attachments included); a partner only the
attachments of the messages its own page shows (partner_selectors.partner_conversation: no notes, nothing held for
approval or sent back, the messages of a duplicate on the duplicate's page).
"""

from django.db.models import QuerySet

from partners.models import User
from requests_app.models import Attachment, Inquiry
from requests_app.partner_selectors import partner_conversation
from requests_app.selectors import inquiries_of_partner, inquiries_visible_to


def _stored() -> QuerySet[Attachment]:
    """Attachments whose file is still there (retention removes the files with the personal data)."""
    return Attachment.objects.exclude(file="").select_related("message__inquiry")


def attachments_visible_to(user: User) -> QuerySet[Attachment]:
    """Staff: every attachment of the inquiries they may see (inquiries_visible_to), internal notes' included."""
    return _stored().filter(message__inquiry__in=inquiries_visible_to(user))


def attachments_shown_to_partner(inquiry: Inquiry) -> QuerySet[Attachment]:
    """The attachments of the messages the partner's page of this inquiry shows."""
    return _stored().filter(message__in=partner_conversation(inquiry))


def attachment_of_partner(user: User, pk: int) -> Attachment | None:
    """A partner's account: the attachment if its message is shown on the page of one of the account's inquiries
    (inquiries_of_partner); None otherwise. Three queries."""
    attachment = _stored().filter(pk=pk).first()
    if attachment is None:
        return None
    message = attachment.message
    # A message moved from a duplicate to its original is shown on the duplicate's page.
    inquiry = inquiries_of_partner(user).filter(pk=message.moved_from_id or message.inquiry_id).first()
    if inquiry is None or not attachments_shown_to_partner(inquiry).filter(pk=pk).exists():
        return None
    return attachment
