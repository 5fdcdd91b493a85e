"""`check --deploy` fails closed: every setting that would weaken a real deployment is an error
(contest_site/checks.py), and real settings pass."""

import pytest
from cryptography.fernet import Fernet
from django.core.checks import run_checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError

REAL = {
    "DEBUG": False,
    "HTTPS": True,
    "SECRET_KEY": "k" * 20 + "3x9Qv7LmZp2Rt8Wn5Yb4",
    "SECRET_KEY_FALLBACKS": [],
    "SMS_BACKEND": "contests.sms.GatewayBackend",
    "SMS_GATEWAY_URL": "https://sms.gateway.vn/api/send",
    "SMS_GATEWAY_TOKEN": "tok-8d1f0c2b7a",
    "ZALO_BACKEND": "contests.zalo.HttpBackend",
    "ZALO_API_URL": "https://business.openapi.zalo.me/message/template",
    "ZALO_ACCESS_TOKEN": "zalo-tok-5c1e9a",
    "ZALO_APP_ID": "4312987650123",
    "ZALO_APP_SECRET": "zalo-sec-8d2b71",
    "ZALO_REFRESH_TOKEN": "zalo-ref-3e9f04",
    "ZALO_TEMPLATES": {"reminder": "301245", "unit_digest": "301246"},
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "EMAIL_HOST_PASSWORD": "mail-secret-41",
    "SITE_URL": "https://cuocthi.example.vn",
    "WINNER_DETAILS_KEYS": [Fernet.generate_key().decode()],
    "REDIS_URL": "redis://redis:6379/0",
    "CACHE_REDIS_URL": "redis://redis:6379/0",
    "CACHE_REDIS_SENTINELS": "",
}


def ids(settings, **changes) -> set[str]:
    for name, value in {**REAL, **changes}.items():
        setattr(settings, name, value)
    return {m.id for m in run_checks(include_deployment_checks=True) if m.id and m.id.startswith("contest.")}


def test_real_settings_pass(settings):
    assert ids(settings) == set()


def test_no_zalo_at_all_passes(settings):
    assert ids(settings, ZALO_BACKEND="", ZALO_ACCESS_TOKEN="", ZALO_TEMPLATES={}) == set()


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"SMS_BACKEND": "contests.sms.ConsoleBackend"}, "contest.E001"),
        ({"SMS_BACKEND": "contests.sms.LocmemBackend"}, "contest.E001"),
        ({"SMS_GATEWAY_URL": ""}, "contest.E002"),
        ({"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}, "contest.E003"),
        ({"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}, "contest.E003"),
        ({"SITE_URL": "http://127.0.0.1:8000"}, "contest.E004"),
        ({"SITE_URL": "https://localhost"}, "contest.E004"),
        ({"SITE_URL": "http://cuocthi.example.vn"}, "contest.E004"),  # plain http with HTTPS on
        ({"WINNER_DETAILS_KEYS": []}, "contest.E006"),
        ({"WINNER_DETAILS_KEYS": ["not-a-key"]}, "contest.E007"),
        ({"SECRET_KEY": "dev-only-insecure-key-change-me-in-production-0123456789"}, "contest.E008"),
        ({"SMS_GATEWAY_TOKEN": "change-me"}, "contest.E008"),
        ({"EMAIL_HOST_PASSWORD": "change-me"}, "contest.E008"),
        ({"SECRET_KEY_FALLBACKS": ["change-me-too"]}, "contest.E008"),
        ({"REDIS_URL": "", "CACHE_REDIS_URL": ""}, "contest.E009"),
        ({"ZALO_BACKEND": "contests.zalo.ConsoleBackend"}, "contest.E021"),
        ({"ZALO_BACKEND": "contests.zalo.LocmemBackend"}, "contest.E021"),
        ({"ZALO_ACCESS_TOKEN": "", "ZALO_REFRESH_TOKEN": ""}, "contest.E022"),
        ({"ZALO_APP_SECRET": ""}, "contest.E023"),
        ({"ZALO_TEMPLATES": {}}, "contest.E022"),
        ({"ZALO_ACCESS_TOKEN": "change-me"}, "contest.E008"),
    ],
)
def test_each_fail_open_setting_is_an_error(settings, changes, expected):
    assert expected in ids(settings, **changes)


def test_plain_http_intranet_may_use_http(settings):
    assert ids(settings, HTTPS=False, SITE_URL="http://cuocthi.so.vn") == set()


def test_database_placeholder_password(settings, monkeypatch):
    from contest_site import checks

    monkeypatch.setattr(checks, "_database_passwords", lambda: [("default", "change-me")])
    assert "contest.E008" in ids(settings)


def test_debug_keeps_development_backends(settings):
    assert ids(settings, DEBUG=True, SMS_BACKEND="contests.sms.ConsoleBackend", WINNER_DETAILS_KEYS=[]) == set()


def test_check_deploy_command_fails(settings):
    ids(settings, SMS_BACKEND="contests.sms.ConsoleBackend")
    with pytest.raises(SystemCheckError, match="contest.E001"):
        call_command("check", deploy=True)


def test_a_trial_install_is_warned_not_stopped(settings):
    found = ids(settings, TRIAL_INSTALL=True, SMS_BACKEND="contests.sms.ConsoleBackend", SITE_URL="https://localhost")
    assert found == {"contest.W001", "contest.W004"}


@pytest.mark.django_db
def test_a_trial_install_says_so_on_every_page(client, settings):
    settings.TRIAL_INSTALL = True
    assert "Bản chạy thử" in client.get("/").content.decode()
    settings.TRIAL_INSTALL = False
    assert "Bản chạy thử" not in client.get("/").content.decode()
