"""manage.py lighthouse_pages: the pages scripts/lighthouse.sh audits, each opened with the
session cookie it prints, must be the real page of that role (200, no redirect to a login)."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from quiz.enums import AttemptStatus
from quiz.models import Attempt


@pytest.fixture
def pages(db):
    call_command("seed_demo", "--force", stdout=io.StringIO())
    out = io.StringIO()
    call_command("lighthouse_pages", "--force", stdout=out)
    return json.loads(out.getvalue())


def test_lighthouse_pages_each_page_opens_with_its_cookie(pages):
    assert [p["name"] for p in pages] == [
        "home", "round", "attempt", "result", "leaderboard", "my-results", "essay-form", "judge-sheet", "reports", "stats",
        "login", "rules", "judge-queue",
    ]  # fmt: skip
    for page in pages:
        client = Client()
        if page["cookie"]:
            name, value = page["cookie"].split("=", 1)
            client.cookies[name] = value
        response = client.get(page["path"])
        assert response.status_code == 200, page
        assert response.wsgi_request.user.is_authenticated == bool(page["role"]), page


def test_lighthouse_pages_starts_an_open_attempt_for_the_contestant(pages):
    attempt_id = int(next(p for p in pages if p["name"] == "attempt")["path"].rstrip("/").rsplit("/", 1)[1])
    attempt = Attempt.objects.get(pk=attempt_id)
    assert attempt.user.email == "contestant@example.com"
    assert attempt.status == AttemptStatus.OPEN


def test_lighthouse_pages_needs_the_demo(db):
    with pytest.raises(CommandError, match="seed_demo"):
        call_command("lighthouse_pages", "--force", stdout=io.StringIO())
