from django.urls import path

from requests_app import inbox_views, staff_views, views
from requests_app.permissions import Action

app_name = "requests_app"

urlpatterns = [
    path("", views.LandingView.as_view(), name="landing"),
    path("privacy/", views.PrivacyView.as_view(), name="privacy"),
    path("accessibility/", views.AccessibilityStatementView.as_view(), name="accessibility"),
    path("inquiries/new/", views.InquiryCreateView.as_view(), name="inquiry-create"),
    path("inquiries/submitted/", views.inquiry_receipt, name="inquiry-receipt"),
    path("staff/", inbox_views.InboxView.as_view(), name="staff-inquiry-list"),
    path("staff/export.csv", inbox_views.inquiry_export_csv, name="staff-inquiry-export-csv"),
    path("staff/export.xlsx", inbox_views.inquiry_export_xlsx, name="staff-inquiry-export-xlsx"),
    path("staff/bulk/", inbox_views.inquiry_bulk, name="staff-inquiry-bulk"),
    path("staff/views/", inbox_views.saved_view_create, name="saved-view-create"),
    path("staff/views/<int:pk>/delete/", inbox_views.saved_view_delete, name="saved-view-delete"),
    path("staff/inquiries/new/", views.staff_inquiry_create, name="staff-inquiry-create"),
    path("staff/inquiries/<int:pk>/", staff_views.inquiry_detail, name="staff-inquiry-detail"),
    *[
        path(
            f"staff/inquiries/<int:pk>/{action.value}/",
            staff_views.inquiry_action,
            {"action": action.value},
            name=f"inquiry-{action.value}",
        )
        for action in Action
    ],
]
