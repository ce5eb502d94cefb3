"""The attachments field of the message forms: several files in one input, checked by services.attachments.

Django's FileField takes one file; this is the pattern of Django's "Uploading multiple files": a widget that allows
`multiple`, and a field whose clean() checks the whole list. A form with the field must be posted as
multipart/form-data (`form.is_multipart()`), and its view must pass request.FILES.
"""

from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from requests_app.file_types import ACCEPT_ATTRIBUTE
from requests_app.services.attachments import attachment_errors


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Zero or more files; cleaned to a list of the uploaded files, or a ValidationError per refused file."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True, "accept": ACCEPT_ATTRIBUTE}))
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        files = data if isinstance(data, list | tuple) else [data]
        uploads = [upload for upload in files if isinstance(upload, UploadedFile)]
        errors = attachment_errors(uploads)
        if errors:
            raise forms.ValidationError(errors)
        return uploads


class AttachmentsMixin(forms.Form):
    """Adds "attachments" as the form's last field. A browser never sends chosen files again, so a form that
    comes back (an error anywhere in it) says that the files must be chosen again; the text is kept."""

    attachments = AttachmentsField(label=_("Attachments"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields.pop("attachments")
        self.fields["attachments"] = field
        rules = _(
            "Up to %(count)s files of at most %(size)s MB each: PDF, PNG or JPEG images, office documents (Word, "
            "Excel, PowerPoint, OpenDocument), plain text or CSV."
        ) % {"count": settings.ATTACHMENT_MAX_FILES, "size": settings.ATTACHMENT_MAX_MB}
        chosen: list[Any] = getattr(self.files, "getlist", lambda name: [])(self.add_prefix("attachments"))
        if self.is_bound and chosen:
            again = _("The files you chose were not saved: choose them again before you save.")
            rules = f"{again} {rules}"
        field.help_text = rules
