from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuizConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "quiz"
    verbose_name = _("Thi trắc nghiệm")

    def ready(self):
        from . import session_user, signals  # noqa: F401

    @staticmethod
    def home_context(*, contest, user) -> dict:
        """The rounds the home page shows, and a signed-in contestant's attempts of this week
        (contests.views.home asks every app that has this)."""
        from .selectors import attempts_this_week, rounds_for_home

        mine = attempts_this_week(user=user, contest=contest) if user.is_authenticated else []
        return {"rounds": rounds_for_home(contest=contest, user=user), "my_attempts": mine}

    # Personal data (contests.personal_data): what this app holds about a person.
    # The functions export / anonymize / objects / contests of this module, where it has them.
    personal_data = "quiz.personal_data"

    # «Sao chép cuộc thi» (contests.copying): this part's plan, copied into next year's draft.
    contest_copy = "quiz.copying"
