from django.urls import path

from requests_app import views

app_name = "requests_app"

urlpatterns = [
    path("", views.LandingView.as_view(), name="landing"),
    path("privacy/", views.PrivacyView.as_view(), name="privacy"),
    path("inquiries/new/", views.InquiryCreateView.as_view(), name="inquiry-create"),
    path("inquiries/submitted/", views.inquiry_receipt, name="inquiry-receipt"),
    path("staff/", views.StaffInquiryListView.as_view(), name="staff-inquiry-list"),
    path("staff/inquiries/new/", views.staff_inquiry_create, name="staff-inquiry-create"),
    path("staff/inquiries/<int:pk>/", views.staff_inquiry_detail, name="staff-inquiry-detail"),
]
