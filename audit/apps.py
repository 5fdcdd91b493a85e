from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """Checking the results: verify_results, the integrity review (with harvesting patterns) and
    the decision log's pages."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "audit"
    verbose_name = _("Kiểm tra kết quả")

    # Personal data (contests.personal_data): the integrity review's decisions.
    personal_data = "audit.personal_data"
