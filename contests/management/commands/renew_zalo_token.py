"""Renew the Zalo official account's access token now (contests.zalo_token), as the beat does
before it expires; `--from-environment` uses ZALO_REFRESH_TOKEN, a new one from the official
account's console, instead of the stored one (spent, revoked or older than three months)."""

from django.core.management.base import BaseCommand, CommandError

from contests.zalo_token import renewal_configured, token_renew


class Command(BaseCommand):
    help = "Renew the Zalo access token now (ZALO_APP_ID, ZALO_APP_SECRET, a refresh token)."

    def add_arguments(self, parser):
        parser.add_argument("--from-environment", action="store_true", help="use ZALO_REFRESH_TOKEN, not the stored one")

    def handle(self, *args, **options):
        if not renewal_configured():
            raise CommandError("ZALO_APP_ID and ZALO_APP_SECRET are not set: nothing can renew the token.")
        if not token_renew(force=True, from_environment=options["from_environment"]):
            raise CommandError("The renewal failed; the log says why (docs/operations.md, «Zalo»).")
        from contests.models import ZaloToken

        expires = ZaloToken.objects.get(pk=1).expires_at
        self.stdout.write(f"Renewed; the access token holds until {expires.isoformat()}.")
