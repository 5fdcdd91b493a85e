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

    # Personal data (contests.personal_data): integrity reviews, certificates, winners' details.
    # The functions export / anonymize / objects / contests of this module, where it has them.
    personal_data = "reports.personal_data"
