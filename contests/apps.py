from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class ContestsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "contests"
    verbose_name = pgettext_lazy("tên phân hệ quản trị", "Cuộc thi")

    def ready(self):
        from contest_site import checks  # noqa: F401  (the deploy checks that fail closed)

        from . import signals  # noqa: F401

    # Personal data (contests.personal_data): notification choices and the outbox.
    # The functions export / anonymize / objects / contests of this module, where it has them.
    personal_data = "contests.personal_data"
