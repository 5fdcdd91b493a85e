from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"
    verbose_name = _("Báo cáo")

    # Personal data (contests.personal_data): the integrity reviews about a person.
    @staticmethod
    def personal_data_export(*, user):
        from .personal_data import export

        return export(user=user)

    @staticmethod
    def personal_data_objects(*, user):
        from .personal_data import objects

        return objects(user=user)
