"""Answers chosen while the phone is offline are kept on the phone, survive a reload and are
saved on the server when the connection returns (static/js/quiz.js, quiz/autosave.py)."""

import re
import time

import pytest
from playwright.sync_api import expect

from quiz.models import Attempt
from tests.factories import contestant
from tests.quiz.factories import sealed_round

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _saved(attempt) -> dict[int, int]:
    return dict(attempt.items.exclude(chosen_index=None).values_list("position", "chosen_index"))


def _wait_for(predicate, seconds=15.0):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.2)
    return predicate()


def test_offline_answers_survive_a_reload_and_are_saved_when_the_connection_returns(page, login):
    # A beacon sent while the network is bad is lost without a word, and Playwright's routes do not
    # see beacons: this phone's never arrive, so what survives the reload is what the page kept.
    page.add_init_script("navigator.sendBeacon = function () { return false; };")
    round = sealed_round(pool_size=40, fields=4)
    user = contestant(user__email="ngoai.tuyen@example.com")
    login(user.email)
    page.goto(f"{page.base_url}/quiz/rounds/{round.pk}/")
    page.get_by_role("button", name="Bắt đầu làm bài").click()
    expect(page).to_have_url(re.compile(r"/quiz/attempts/\d+/$"))
    attempt = Attempt.objects.get(user=user)

    # Online: saved as chosen.
    page.locator("#q-1 input[value='1']").check()
    expect(page.locator("[data-save-status]")).to_have_text("Đã lưu câu 1.")

    # The connection drops: the choices stay on the phone, none reaches the server.
    page.context.set_offline(True)
    page.locator("#q-2 input[value='2']").check()
    page.locator("#q-3 input[value='0']").check()
    expect(page.locator("[data-save-status]")).to_contain_text("Mất kết nối")
    assert _saved(attempt) == {1: 1}

    # The phone reloads while the server still cannot be reached for saves (the page itself loads).
    page.route("**/save/", lambda route: route.abort())
    page.context.set_offline(False)
    page.reload()
    expect(page.locator("#q-2 input[value='2']")).to_be_checked()
    expect(page.locator("#q-3 input[value='0']")).to_be_checked()
    expect(page.locator("#q-1 input[value='1']")).to_be_checked()
    expect(page.locator("[data-answered]")).to_have_text("3")
    assert _saved(attempt) == {1: 1}

    # The connection returns: the kept answers are sent and acknowledged.
    page.unroute("**/save/")
    assert _wait_for(lambda: _saved(attempt) == {1: 1, 2: 2, 3: 0}), _saved(attempt)
    expect(page.locator("[data-save-status]")).to_have_text(re.compile(r"^Đã lưu (câu|các câu) "))
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('quiz-answers-')).length") == 0
