from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EssaysConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "essays"
    verbose_name = _("Thi viết")

    def ready(self):
        from . import signals  # noqa: F401

    @staticmethod
    def home_context(*, contest, user) -> dict:
        """The essay phases the home page shows (see contests.views.home)."""
        from .selectors import phases_for_home

        return {"phases": phases_for_home(contest=contest)}

    # Personal data (contests.personal_data): what this app holds about a person.
    # The functions export / anonymize / objects / contests of this module, where it has them.
    personal_data = "essays.personal_data"

    # «Sao chép cuộc thi» (contests.copying): this part's plan, copied into next year's draft.
    contest_copy = "essays.copying"
