"""The first account of an empty install: an organizer who may also run the admin (superuser),
so that they can name the secretariat, the jury and the unit officers.

    python manage.py create_first_organizer --email ban.tochuc@tinhuy.vn [--name "…"]

The password is FIRST_ORGANIZER_PASSWORD from the environment, or a random one printed once.
Idempotent: an address that already has an account is left as it is."""

import os
import secrets

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction

from accounts.enums import Role
from accounts.models import User


class Command(BaseCommand):
    help = "Create the first organizer account of an empty install (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True)
        parser.add_argument("--name", default="Ban Tổ chức")

    def handle(self, *args, email: str, name: str, **options):
        email = email.strip().lower()
        try:
            validate_email(email)
        except ValidationError as exc:
            raise CommandError(f"{email!r} is not an e-mail address.") from exc
        if User.objects.filter(email__iexact=email).exists():
            self.stdout.write(f"{email} already has an account: nothing changed.")
            return
        password = os.environ.get("FIRST_ORGANIZER_PASSWORD") or secrets.token_urlsafe(12)
        with transaction.atomic():
            user = User(email=email, full_name=name, is_staff=True, is_superuser=True)
            user.set_password(password)
            user.save()
            user.groups.set(Group.objects.filter(name=Role.ORGANIZER))
        if os.environ.get("FIRST_ORGANIZER_PASSWORD"):
            self.stdout.write(f"Organizer {email} created with FIRST_ORGANIZER_PASSWORD.")
        else:
            self.stdout.write(f"Organizer {email} created. Password (shown once, change it at the first login): {password}")
