from django.core.management.base import BaseCommand

from awards.winner_details import rotate_all


class Command(BaseCommand):
    help = (
        "Re-encrypt every winner's details with the first key of WINNER_DETAILS_KEYS. Run after "
        "putting a new key first; drop the old key only afterwards."
    )

    def handle(self, *args, **options):
        count = rotate_all()
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted {count} rows with the newest key."))
