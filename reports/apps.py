from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"
    verbose_name = _("Báo cáo")

    @staticmethod
    def my_results_blocks(*, contest, user) -> list[dict]:
        """Certificates and award forms on quiz's "Kết quả của tôi" (quiz does not import reports)."""
        from .certificate_views import my_results_blocks

        return my_results_blocks(contest=contest, user=user)

    # Personal data (contests.personal_data): the integrity reviews about a person.
    @staticmethod
    def personal_data_export(*, user):
        from .personal_data import export

        return export(user=user)

    @staticmethod
    def personal_data_objects(*, user):
        from .personal_data import objects

        return objects(user=user)
