from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class ContestsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "contests"
    verbose_name = pgettext_lazy("tên phân hệ quản trị", "Cuộc thi")

    def ready(self):
        from . import signals  # noqa: F401
