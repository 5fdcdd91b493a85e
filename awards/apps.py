from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AwardsConfig(AppConfig):
    """Prizes as the secretariat handles them, across both parts: the verification pages, the
    prize list workbook, certificates, winners' details for the award."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "awards"
    verbose_name = _("Giải thưởng")

    @staticmethod
    def my_results_blocks(*, contest, user) -> list[dict]:
        """Certificates and award forms on quiz's "Kết quả của tôi" (quiz does not import awards)."""
        from .certificate_views import my_results_blocks

        return my_results_blocks(contest=contest, user=user)

    # Personal data (contests.personal_data): certificates, winners' details and the looks at them.
    personal_data = "awards.personal_data"
