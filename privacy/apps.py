from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    """A person's data across the apps: «Dữ liệu cá nhân của tôi» and the deletion queue (each app
    declares what it holds through its own `personal_data` module; no models here)."""

    name = "privacy"
    verbose_name = _("Dữ liệu cá nhân")
