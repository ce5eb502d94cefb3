"""The forms of the partner's own pages (a status link, My inquiries): answering the centre, withdrawing."""

from django import forms
from django.utils.translation import gettext_lazy as _

from requests_app.attachment_forms import AttachmentsMixin
from requests_app.models import InquiryMessage


class ReplyToCentreForm(AttachmentsMixin, forms.Form):
    body = forms.CharField(
        label=_("Your message"),
        help_text=_(
            "The person handling your inquiry is told by e-mail. If we asked you for more information, "
            "your answer starts the clock again."
        ),
        max_length=InquiryMessage._meta.get_field("body").max_length,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Write your message.")},
    )


class WithdrawInquiryForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you withdraw it?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
