"""The models of requests_app, by topic; imported here so Django and the rest of the code find them."""

from requests_app.models.inquiry import Inquiry, InquiryEvent, InquiryMessage
from requests_app.models.reference import ReferenceCounter, SdgGoal, SdgTarget, ServiceTargets
from requests_app.models.workspace import ReplyTemplate, RoutingRule, SavedView

__all__ = [
    "Inquiry",
    "InquiryEvent",
    "InquiryMessage",
    "ReferenceCounter",
    "ReplyTemplate",
    "RoutingRule",
    "SavedView",
    "SdgGoal",
    "SdgTarget",
    "ServiceTargets",
]
