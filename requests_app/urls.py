from django.urls import path

from requests_app.permissions import Action
from requests_app.views import inbox, inquiry, intake, pages

app_name = "requests_app"

urlpatterns = [
    path("", pages.LandingView.as_view(), name="landing"),
    path("privacy/", pages.PrivacyView.as_view(), name="privacy"),
    path("accessibility/", pages.AccessibilityStatementView.as_view(), name="accessibility"),
    path("inquiries/new/", intake.InquiryCreateView.as_view(), name="inquiry-create"),
    path("inquiries/submitted/", intake.inquiry_receipt, name="inquiry-receipt"),
    path("staff/", inbox.InboxView.as_view(), name="staff-inquiry-list"),
    path("staff/export.csv", inbox.inquiry_export_csv, name="staff-inquiry-export-csv"),
    path("staff/export.xlsx", inbox.inquiry_export_xlsx, name="staff-inquiry-export-xlsx"),
    path("staff/bulk/", inbox.inquiry_bulk, name="staff-inquiry-bulk"),
    path("staff/views/", inbox.saved_view_create, name="saved-view-create"),
    path("staff/views/<int:pk>/delete/", inbox.saved_view_delete, name="saved-view-delete"),
    path("staff/inquiries/new/", intake.staff_inquiry_create, name="staff-inquiry-create"),
    path("staff/inquiries/<int:pk>/", inquiry.inquiry_detail, name="staff-inquiry-detail"),
    *[
        path(
            f"staff/inquiries/<int:pk>/{action.value}/",
            inquiry.inquiry_action,
            {"action": action.value},
            name=f"inquiry-{action.value}",
        )
        for action in Action
    ],
]
