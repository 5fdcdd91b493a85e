"""The Zalo access token renewed before it expires (contests.zalo_token), against a local
stand-in of the OAuth v4 contract: each refresh token good once, the next one stored sealed,
never spent twice by two workers, a refusal logged with what to do, a refused message asking
for a renewal once."""

import datetime
import json
import logging
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from contests import zalo, zalo_token
from contests.models import ZaloToken
from tests.servers import HttpStandIn, answer_json

pytestmark = pytest.mark.django_db
SECRET = "zalo-app-secret-41c9"
APP = "4312987650123"


class OAuthStandIn(HttpStandIn):
    """POST form `refresh_token`, `app_id`, `grant_type=refresh_token` with the header
    `secret_key`; answers a new pair (access «acc-N», refresh «ref-N», `expires_in` "90000") or
    Zalo's error object. A refresh token is good once."""

    path = "/v4/oa/access_token"

    def __init__(self, first="ref-0"):
        self.valid = {first}
        self.used: list[str] = []
        self.issued = 0
        self.lock = threading.Lock()
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):  # noqa: N802 - the http.server API
                form = urllib.parse.parse_qs(self.rfile.read(int(self.headers.get("Content-Length", 0))).decode())
                token = form.get("refresh_token", [""])[0]
                with stand_in.lock:
                    stand_in.used.append(token)
                    ok = (
                        self.path == "/v4/oa/access_token"
                        and self.headers.get("secret_key") == SECRET
                        and form.get("app_id") == [APP]
                        and form.get("grant_type") == ["refresh_token"]
                        and token in stand_in.valid
                    )
                    if ok:
                        stand_in.valid.discard(token)
                        stand_in.issued += 1
                        n = stand_in.issued
                        stand_in.valid.add(f"ref-{n}")
                        answer = {"access_token": f"acc-{n}", "refresh_token": f"ref-{n}", "expires_in": "90000"}
                    else:
                        answer = {"error": -14014, "error_name": "Invalid refresh token", "error_description": "refused"}
                data = json.dumps(answer).encode()
                answer_json(self, data)

        super().__init__(Handler)


@pytest.fixture
def oauth(settings):
    with OAuthStandIn() as stand_in:
        settings.ZALO_OAUTH_URL = stand_in.url
        settings.ZALO_APP_ID, settings.ZALO_APP_SECRET = APP, SECRET
        settings.ZALO_REFRESH_TOKEN, settings.ZALO_ACCESS_TOKEN = "ref-0", "acc-from-env"
        settings.ZALO_TIMEOUT = 5
        yield stand_in


def test_the_first_renewal_spends_the_environments_refresh_token_and_keeps_the_next_sealed(oauth):
    assert zalo_token.current_access_token() == "acc-from-env"

    assert zalo_token.token_renew() is True

    row = ZaloToken.objects.get()
    assert oauth.used == ["ref-0"]
    assert zalo_token.current_access_token() == "acc-1"
    assert "acc-1" not in row.access_sealed and "ref-1" not in row.refresh_sealed  # sealed at rest
    with connection.cursor() as cursor:
        cursor.execute("SELECT access_sealed || refresh_sealed FROM contests_zalotoken")
        assert "acc-1" not in cursor.fetchone()[0]
    assert abs((row.expires_at - timezone.now()).total_seconds() - 90000) < 60
    assert zalo.HttpBackend().token == "acc-1"


def test_renewed_only_near_expiry_with_the_stored_refresh_token(oauth):
    zalo_token.token_renew()
    expires = ZaloToken.objects.get().expires_at

    assert zalo_token.token_renew() is False  # 25 hours left
    assert zalo_token.token_renew(now=expires - datetime.timedelta(hours=2)) is True

    assert oauth.used == ["ref-0", "ref-1"]  # the stored one, never the spent one from the environment
    assert zalo_token.current_access_token() == "acc-2"


def test_a_refused_renewal_keeps_the_pair_and_says_what_to_do(oauth, caplog):
    zalo_token.token_renew()
    oauth.valid.clear()  # the refresh token was revoked in the console

    with caplog.at_level(logging.ERROR, logger="contests.zalo_token"):
        assert zalo_token.token_renew(force=True) is False

    row = ZaloToken.objects.get()
    assert row.failures == 1 and zalo_token.current_access_token() == "acc-1"
    assert "renew_zalo_token --from-environment" in caplog.text and "-14014" in caplog.text
    assert "ref-1" not in caplog.text  # no token in the log
    with pytest.raises(CommandError):
        call_command("renew_zalo_token")  # the stored one is still refused


def test_the_command_takes_a_new_refresh_token_from_the_environment(oauth, settings, capsys):
    zalo_token.token_renew()
    oauth.valid.clear()
    oauth.valid.add("ref-console")
    settings.ZALO_REFRESH_TOKEN = "ref-console"

    call_command("renew_zalo_token", "--from-environment")

    assert oauth.used[-1] == "ref-console" and zalo_token.current_access_token() == "acc-2"
    assert "Renewed" in capsys.readouterr().out


def test_nothing_renews_without_the_apps_id_and_secret(oauth, settings):
    settings.ZALO_APP_SECRET = ""

    assert zalo_token.token_renew(force=True) is False
    with pytest.raises(CommandError, match="ZALO_APP_ID"):
        call_command("renew_zalo_token")
    assert oauth.used == [] and zalo_token.current_access_token() == "acc-from-env"


def test_an_expired_stored_token_gives_way_to_the_environments(oauth):
    zalo_token.token_renew()
    ZaloToken.objects.update(expires_at=timezone.now() - datetime.timedelta(minutes=1))

    assert zalo_token.current_access_token() == "acc-from-env"


class RefusedToken(zalo.BaseBackend):
    def send(self, message):
        raise zalo.ZaloError("Zalo error -124: access token invalid or expired", code=zalo.TOKEN_INVALID)


def test_messages_refused_for_their_token_ask_one_renewal(oauth, settings, django_capture_on_commit_callbacks):
    settings.ZALO_BACKEND = f"{__name__}.RefusedToken"
    settings.ZALO_TEMPLATES = {"reminder": "301245"}

    with django_capture_on_commit_callbacks(execute=True):
        for _i in range(3):
            with pytest.raises(zalo.ZaloError):
                zalo.send_zalo(phone="0912000111", kind="reminder", name="An", text="Nhắc")

    assert oauth.used == ["ref-0"]  # one renewal for three refused messages
    assert zalo_token.current_access_token() == "acc-1"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_never_spend_one_refresh_token_twice(oauth):
    results = []

    def renew():
        try:
            results.append(zalo_token.token_renew(force=True))
        finally:
            connection.close()

    threads = [threading.Thread(target=renew) for _i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert results == [True, True]
    assert oauth.used == ["ref-0", "ref-1"]  # the second waited for the row and took the new one
    assert zalo_token.current_access_token() == "acc-2"
