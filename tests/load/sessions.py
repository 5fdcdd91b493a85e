"""Sign the load-test contestants in beforehand: one session each (the way a login leaves it),
so that the capacity, concurrent and rush scenarios measure the contest and not the password
hash (the logins scenario measures that). Prints a JSON list of session keys, load1 first.

    python tests/load/sessions.py N > sessions.json   (with the server's DATABASE_URL and REDIS_URL)
"""

import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", ".."))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contest_site.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.utils.module_loading import import_string  # noqa: E402

from accounts.models import User  # noqa: E402


def main(n: int) -> list[str]:
    store = import_string(f"{settings.SESSION_ENGINE}.SessionStore")
    users = {u.email: u for u in User.objects.filter(email__in=[f"load{i}@example.com" for i in range(1, n + 1)])}
    keys = []
    for i in range(1, n + 1):
        user = users[f"load{i}@example.com"]
        session = store()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        session.save()
        keys.append(session.session_key)
    return keys


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]))))
