from django.urls import path

from requests_app.permissions import Action
from requests_app.views import (
    attachments,
    audit,
    inbox,
    inquiry,
    intake,
    organisations,
    outbox,
    pages,
    partner,
    partner_account,
    partnerships,
    privacy_requests,
    units,
)

app_name = "requests_app"

urlpatterns = [
    path("", pages.LandingView.as_view(), name="landing"),
    path("privacy/", pages.PrivacyView.as_view(), name="privacy"),
    path("accessibility/", pages.AccessibilityStatementView.as_view(), name="accessibility"),
    path("inquiries/new/", intake.InquiryCreateView.as_view(), name="inquiry-create"),
    path("inquiries/submitted/", intake.inquiry_receipt, name="inquiry-receipt"),
    # The partner's own pages: through a private status link, or logged in (views/partner.py).
    path("status/<slug:token>/", partner.status_link_page, name="status-link"),
    path("status/<slug:token>/reply/", partner.status_link_reply, name="status-link-reply"),
    path("status/<slug:token>/withdraw/", partner.status_link_withdraw, name="status-link-withdraw"),
    path("status/<slug:token>/fresh/", partner.status_link_fresh, name="status-link-fresh"),
    path(
        "status/<slug:token>/attachments/<int:pk>/",
        attachments.status_link_attachment_download,
        name="status-link-attachment",
    ),
    path("my/inquiries/", partner.my_inquiry_list, name="my-inquiry-list"),
    path("my/inquiries/<int:pk>/", partner.my_inquiry_detail, name="my-inquiry-detail"),
    path("my/inquiries/<int:pk>/reply/", partner.my_inquiry_reply, name="my-inquiry-reply"),
    path("my/inquiries/<int:pk>/withdraw/", partner.my_inquiry_withdraw, name="my-inquiry-withdraw"),
    path("my/attachments/<int:pk>/", attachments.partner_attachment_download, name="my-attachment"),
    # A partner's own account (partner_account.py); inquiries are the partner pages' (/my/inquiries/).
    path("my/organisation/", partner_account.my_organisation, name="my-organisation"),
    path("my/organisation/invitations/", partner_account.invitation_create, name="invitation-create"),
    path("my/organisation/invitations/<int:pk>/revoke/", partner_account.invitation_revoke, name="invitation-revoke"),
    path("my/organisation/switch/", partner_account.organisation_switch, name="organisation-switch"),
    path("invitations/<slug:token>/", partner_account.invitation_accept, name="invitation-accept"),
    path("my/data/", partner_account.account_data, name="account-data"),
    path("my/data.json", partner_account.account_data_json, name="account-data-json"),
    path("my/account/delete/", partner_account.account_delete, name="account-delete"),
    path("staff/", inbox.InboxView.as_view(), name="staff-inquiry-list"),
    path("staff/export.csv", inbox.inquiry_export_csv, name="staff-inquiry-export-csv"),
    path("staff/export.xlsx", inbox.inquiry_export_xlsx, name="staff-inquiry-export-xlsx"),
    path("staff/bulk/", inbox.inquiry_bulk, name="staff-inquiry-bulk"),
    path("staff/unit/", units.UnitQueueView.as_view(), name="unit-queue"),
    path(
        "staff/unit/export.csv",
        inbox.inquiry_export_csv,
        {"listing": units.UnitQueueView},
        name="unit-queue-export-csv",
    ),
    path(
        "staff/unit/export.xlsx",
        inbox.inquiry_export_xlsx,
        {"listing": units.UnitQueueView},
        name="unit-queue-export-xlsx",
    ),
    path("staff/views/", inbox.saved_view_create, name="saved-view-create"),
    path("staff/views/<int:pk>/delete/", inbox.saved_view_delete, name="saved-view-delete"),
    path("staff/outbox/", outbox.OutboxView.as_view(), name="outbox-list"),
    path("staff/partnerships/", partnerships.PartnershipListView.as_view(), name="partnership-list"),
    path("staff/outbox/<int:pk>/send-again/", outbox.outbox_send_again, name="outbox-send-again"),
    path("staff/inquiries/new/", intake.staff_inquiry_create, name="staff-inquiry-create"),
    path("staff/access-log/", audit.AccessLogView.as_view(), name="access-log-list"),
    path("staff/organisations/", organisations.OrganisationListView.as_view(), name="organisation-list"),
    path("staff/organisations/export.csv", organisations.organisation_export_csv, name="organisation-export-csv"),
    path("staff/organisations/export.xlsx", organisations.organisation_export_xlsx, name="organisation-export-xlsx"),
    path("staff/organisations/<int:pk>/", organisations.organisation_detail, name="organisation-detail"),
    path("staff/organisations/<int:pk>/merge/", organisations.organisation_merge, name="organisation-merge"),
    path("staff/contacts/<int:pk>/edit/", organisations.contact_edit, name="contact-edit"),
    path("staff/organisations/<int:pk>/accounts/", organisations.membership_create, name="membership-create"),
    path("staff/memberships/<int:pk>/delete/", organisations.membership_delete, name="membership-delete"),
    path("staff/privacy-requests/", privacy_requests.PrivacyRequestListView.as_view(), name="privacy-request-list"),
    path(
        "staff/privacy-requests/<int:pk>/handle/",
        privacy_requests.privacy_request_handle,
        name="privacy-request-handle",
    ),
    path("staff/inquiries/<int:pk>/", inquiry.inquiry_detail, name="staff-inquiry-detail"),
    path("staff/attachments/<int:pk>/", attachments.staff_attachment_download, name="attachment-download"),
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
