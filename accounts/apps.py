from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = _("Tài khoản và đơn vị")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .privacy import consent_remember
        from .roles import sync_role_permissions

        # After the whole migrate run: by then every app's permissions exist.
        post_migrate.connect(sync_role_permissions, dispatch_uid="accounts.sync_role_permissions")
        user_logged_in.connect(
            lambda sender, request, user, **kw: consent_remember(request, user) if request is not None else None,
            dispatch_uid="accounts.consent_remember",
            weak=False,
        )

    # Personal data (contests.personal_data): the account, profile, consents, unit changes.
    @staticmethod
    def personal_data_export(*, user):
        from .privacy import export

        return export(user=user)

    @staticmethod
    def personal_data_anonymize(*, user, label):
        from .privacy import anonymize

        anonymize(user=user, label=label)

    @staticmethod
    def personal_data_objects(*, user):
        from .privacy import objects

        return objects(user=user)
