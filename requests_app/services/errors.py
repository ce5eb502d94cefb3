"""Domain errors raised by the services; their messages are shown to the user as they are."""

from requests_app.models import InquiryEvent


class InquiryStateError(Exception):
    """An action that the inquiry's current state does not allow."""


class StaleInquiryError(InquiryStateError):
    """The inquiry changed since the page was loaded; `changes` are the events the user has not seen."""

    def __init__(self, message: str, changes: list[InquiryEvent]) -> None:
        super().__init__(message)
        self.changes = changes
