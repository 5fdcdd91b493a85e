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
        """The rounds the home page shows (contests.views.home asks every app that has this)."""
        from .selectors import rounds_for_home

        return {"rounds": rounds_for_home(contest=contest, user=user)}
