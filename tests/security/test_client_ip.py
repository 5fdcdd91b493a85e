import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from accounts.net import client_ip

PROXY = "10.0.0.5"


def _request(remote, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_forwarded_for_is_ignored_without_trusted_proxies(settings):
    settings.TRUSTED_PROXIES = []
    assert client_ip(_request("198.51.100.9", "203.0.113.7")) == "198.51.100.9"


def test_forwarded_for_is_ignored_from_a_stranger(settings):
    settings.TRUSTED_PROXIES = [PROXY]
    assert client_ip(_request("198.51.100.9", "203.0.113.7")) == "198.51.100.9"


def test_behind_our_proxy_the_address_it_saw_is_the_client(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    # The client wrote "1.2.3.4" itself; our proxy appended the address it really saw.
    assert client_ip(_request(PROXY, "1.2.3.4, 203.0.113.7")) == "203.0.113.7"
    assert client_ip(_request(PROXY, "203.0.113.7, 10.0.0.9")) == "203.0.113.7"


def test_garbage_in_the_header_falls_back_to_the_connection(settings):
    settings.TRUSTED_PROXIES = [PROXY]
    assert client_ip(_request(PROXY, "not-an-address")) == PROXY


@given(forged=st.lists(st.ip_addresses().map(str), max_size=4), real=st.ip_addresses(v=4).map(str))
def test_nothing_a_client_writes_changes_its_address(forged, real):
    from django.conf import settings

    original = settings.TRUSTED_PROXIES
    settings.TRUSTED_PROXIES = [PROXY]
    try:
        header = ", ".join([*forged, real])
        assert client_ip(_request(PROXY, header)) == real  # the proxy appended `real`
        assert client_ip(_request(real, header)) == real  # straight to us: the header is not read
    finally:
        settings.TRUSTED_PROXIES = original


@pytest.mark.django_db
def test_forged_forwarded_for_neither_escapes_nor_drains_a_per_address_limit(settings):
    settings.TRUSTED_PROXIES = []
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "3/m/ip"}

    def signup(n, remote, forwarded):
        return Client().post(
            reverse("account_signup"),
            {
                "phone": f"0912{n:06d}",
                "email": f"nguoi{n}@example.com",
                "password1": "Chibo-KieuMau-2026",
                "password2": "Chibo-KieuMau-2026",
                "consent": "on",
            },
            REMOTE_ADDR=remote,
            HTTP_X_FORWARDED_FOR=forwarded,
        )

    # An attacker rotating the header is still one address: the fourth sign-up is refused.
    codes = [signup(n, "198.51.100.66", f"192.0.2.{n}").status_code for n in range(4)]
    # …and forging the office's address did not use up the office's budget.
    office = signup(99, "203.0.113.7", "198.51.100.66").status_code

    assert codes == [302, 302, 302, 429]
    assert office == 302
