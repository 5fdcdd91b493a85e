"""Passwords are hashed with Argon2id at OWASP's parameters; a PBKDF2 hash from before is
upgraded at the next login (settings.STRONG_PASSWORD_HASHERS; the suite itself uses a fast hasher)."""

import pytest
from django.contrib.auth.hashers import identify_hasher, make_password

from tests.factories import contestant

pytestmark = pytest.mark.django_db


@pytest.fixture
def strong_hashers(settings):
    settings.PASSWORD_HASHERS = settings.STRONG_PASSWORD_HASHERS


def test_new_passwords_get_argon2id_with_owasp_parameters(strong_hashers):
    encoded = make_password("DemoPass123!")

    assert encoded.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")


def test_a_pbkdf2_user_logging_in_gets_an_argon2id_hash(client, strong_hashers):
    user = contestant(user__email="cu@example.com")
    user.password = make_password("DemoPass123!", hasher="pbkdf2_sha256")
    user.save(update_fields=["password"])

    response = client.post("/accounts/login/", {"login": "cu@example.com", "password": "DemoPass123!"})

    assert response.status_code == 302
    user.refresh_from_db()
    assert identify_hasher(user.password).algorithm == "argon2"
    assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert user.check_password("DemoPass123!")
