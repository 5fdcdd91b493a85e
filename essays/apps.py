from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EssaysConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "essays"
    verbose_name = _("Thi viết")

    @staticmethod
    def home_context(*, contest, user) -> dict:
        """The essay phases the home page shows (see contests.views.home)."""
        from .selectors import phases_for_home

        return {"phases": phases_for_home(contest=contest)}

    # Personal data (contests.personal_data): what this app holds about a person.
    @staticmethod
    def personal_data_export(*, user):
        from .personal_data import export

        return export(user=user)

    @staticmethod
    def personal_data_anonymize(*, user, label):
        from .personal_data import anonymize

        anonymize(user=user, label=label)

    @staticmethod
    def personal_data_objects(*, user):
        from .personal_data import objects

        return objects(user=user)

    @staticmethod
    def personal_data_contests(*, users):
        from .personal_data import contests

        return contests(users=users)
