"""URL configuration: public and staff pages in bokmål (no prefix) and English (/en/)."""

from allauth.account.decorators import secure_admin_login
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from portal.views import healthz

admin.site.site_header = "FN-senteret Trondheim"
admin.site.site_title = "FN-senteret Trondheim"
# The admin has no login form of its own: /admin/login/ sends visitors to allauth's, so the admin is covered by
# the same rate limits (ACCOUNT_RATE_LIMITS) and e-mail verification; signed-in non-staff users get a 403.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("i18n/setlang/", set_language, name="set_language"),
]

urlpatterns += i18n_patterns(
    path("accounts/", include("allauth.urls")),
    path("", include("requests_app.urls")),
    prefix_default_language=False,
)
