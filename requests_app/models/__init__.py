"""The models of requests_app, by topic; imported here so Django and the rest of the code find them."""

from requests_app.models.audit import AccessLogEntry
from requests_app.models.figures import SummarySnapshot
from requests_app.models.inquiry import Inquiry, InquiryEvent, InquiryMessage
from requests_app.models.outbox import OutboxMessage
from requests_app.models.outcome import FollowUp, Outcome, UnitAssignment
from requests_app.models.partner_access import Attachment, PrivacyRequest, StatusLink
from requests_app.models.reference import ReferenceCounter, SdgGoal, SdgTarget, ServiceTargets
from requests_app.models.summary import DecisionRequest, ReportHighlight, ReportRun
from requests_app.models.workspace import ReplyTemplate, RoutingRule, SavedView

__all__ = [
    "AccessLogEntry",
    "Attachment",
    "DecisionRequest",
    "FollowUp",
    "Inquiry",
    "InquiryEvent",
    "InquiryMessage",
    "OutboxMessage",
    "Outcome",
    "PrivacyRequest",
    "ReferenceCounter",
    "ReplyTemplate",
    "ReportHighlight",
    "ReportRun",
    "RoutingRule",
    "SavedView",
    "SdgGoal",
    "SdgTarget",
    "ServiceTargets",
    "StatusLink",
    "SummarySnapshot",
    "UnitAssignment",
]
