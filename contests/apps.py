from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class ContestsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "contests"
    verbose_name = pgettext_lazy("tên phân hệ quản trị", "Cuộc thi")

    def ready(self):
        from . import signals  # noqa: F401

    # Personal data (contests.personal_data): notification choices and the outbox.
    @staticmethod
    def personal_data_export(*, user):
        from .personal_data import export

        return export(user=user)

    @staticmethod
    def personal_data_anonymize(*, user, label):
        from .personal_data import anonymize

        anonymize(user=user, label=label)
