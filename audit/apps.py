from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """Checking the results: verify_results, the integrity review (with harvesting patterns) and
    the decision log's pages."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "audit"
    verbose_name = _("Kiểm tra kết quả")

    # Personal data (contests.personal_data): the integrity review's decisions, appeals.
    personal_data = "audit.personal_data"

    # Appeals on the lower apps' pages (contests.selectors.page_blocks): quiz and essays do not
    # import audit.
    @staticmethod
    def my_results_blocks(*, contest, user) -> list[dict]:
        from .appeal_blocks import my_results_blocks

        return my_results_blocks(contest=contest, user=user)

    @staticmethod
    def essay_author_blocks(*, essay, user) -> list[dict]:
        from .appeal_blocks import essay_author_blocks

        return essay_author_blocks(essay=essay, user=user)

    @staticmethod
    def round_results_blocks(*, round) -> list[dict]:
        from .appeal_blocks import round_results_blocks

        return round_results_blocks(round=round)

    @staticmethod
    def essay_results_blocks(*, contest) -> list[dict]:
        from .appeal_blocks import essay_results_blocks

        return essay_results_blocks(contest=contest)
