from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RequestsAppConfig(AppConfig):
    name = "requests_app"
    verbose_name = _("Inquiries")

    def ready(self) -> None:
        import portal.checks  # noqa: F401 - registers the portal's deployment checks
