"""A secretariat account for the load test's staff requests (the attempts export of the pooled
scenario, the /stats/ and /reports/ probes of the scaled one), signed in beforehand as
tests/load/sessions.py signs the contestants in. Prints its session key.

    python tests/load/staff.py > staff.txt   (with the server's DATABASE_URL and REDIS_URL)
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", ".."))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contest_site.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.utils.module_loading import import_string  # noqa: E402

from accounts.enums import Role  # noqa: E402
from accounts.models import User  # noqa: E402

EMAIL = "loadstaff@example.com"


def main() -> str:
    user, _created = User.objects.get_or_create(email=EMAIL, defaults={"full_name": "Tổ Thư ký tải thử"})
    user.groups.add(Group.objects.get(name=Role.SECRETARIAT))
    session = import_string(f"{settings.SESSION_ENGINE}.SessionStore")()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    session.save()
    return session.session_key


if __name__ == "__main__":
    print(main())
