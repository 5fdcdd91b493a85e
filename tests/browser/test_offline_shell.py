"""The attempt page reloaded without a network: the service worker (quiz/templates/quiz/sw.js)
shows its copy of the page with the answers already chosen, or a Vietnamese offline page, never
the browser's error; staff pages never pass through it; signing out forgets the copies."""

import re
import time

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from accounts.enums import Role
from quiz.models import Attempt
from tests.browser.conftest import STAFF
from tests.browser.conftest import screenshot as _shot
from tests.factories import contestant, staff_user
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


def _worker_active(page) -> None:
    page.wait_for_function(
        """async () => {
          const registration = await navigator.serviceWorker.getRegistration("/quiz/attempts/");
          return !!(registration && registration.active && registration.active.state === "activated");
        }""",
        polling=200,
    )


def _cached_paths(page) -> list[str]:
    return page.evaluate(
        """async () => {
          const out = [];
          for (const name of await caches.keys()) {
            const cache = await caches.open(name);
            for (const request of await cache.keys()) { out.push(name + " " + new URL(request.url).pathname); }
          }
          return out;
        }"""
    )


def _cut(route):
    route.abort("internetdisconnected")


def _offline(page, offline: bool) -> None:
    """The phone loses (or finds) the network: every request fails, the page's and the service
    worker's own (context.set_offline alone does not reach a service worker:
    microsoft/playwright#2311; and a page request let through a route once reached the server
    while offline, seen once in CI)."""
    page.context.set_offline(offline)
    if offline:
        page.context.route("**/*", _cut)
    else:
        page.context.unroute("**/*", _cut)


def _csp_watch(page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda message: "Content Security Policy" in message.text and errors.append(message.text))
    return errors


def test_attempt_reloaded_offline_keeps_its_answers_and_goes_on_when_the_network_returns(page, login):
    page.add_init_script("navigator.sendBeacon = function () { return false; };")
    # A keepalive request outlives its page, and Chromium's offline emulation no longer applies to
    # one still pending when the page reloads: a real phone without a network sends nothing.
    page.add_init_script(
        "const realFetch = window.fetch;"
        "window.fetch = (url, options) => realFetch(url, Object.assign({}, options, { keepalive: false }));"
    )
    csp_errors = _csp_watch(page)
    round = sealed_round(pool_size=40, fields=4)
    user = contestant(user__email="mat.mang.tai.lai@example.com")
    login(user.email)
    _worker_active(page)  # registered from the first page after signing in
    page.goto(f"{page.base_url}/quiz/rounds/{round.pk}/")
    page.get_by_role("button", name="Bắt đầu làm bài").click()
    expect(page).to_have_url(re.compile(r"/quiz/attempts/\d+/$"))
    assert page.evaluate("!!navigator.serviceWorker.controller")
    attempt = Attempt.objects.get(user=user)

    # Saved online after the page (and its copy) was loaded.
    page.locator("#q-1 input[value='1']").check()
    expect(page.locator("[data-save-status]")).to_have_text("Đã lưu câu 1.")
    page.locator("#q-2 input[value='3']").check()
    expect(page.locator("[data-save-status]")).to_have_text("Đã lưu câu 2.")

    # The network goes; one more answer is chosen, then the page is reloaded.
    _offline(page, True)
    page.locator("#q-3 input[value='0']").check()
    expect(page.locator("[data-save-status]")).to_contain_text("Mất kết nối")
    page.reload()

    notice = page.locator("[data-offline-copy]")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("Đang mất mạng, bài vẫn được giữ.")
    expect(page.locator("#q-1 input[value='1']")).to_be_checked()
    expect(page.locator("#q-2 input[value='3']")).to_be_checked()
    expect(page.locator("#q-3 input[value='0']")).to_be_checked()
    expect(page.locator("[data-answered]")).to_have_text("3")
    expect(page.locator("[data-countdown]")).to_have_text(re.compile(r"^(1[0-9]|[0-9]):\d\d$|^\d\d:\d\d$"))
    _shot(page, "attempt-offline-copy-390", full_page=False)

    # Still offline: the contestant goes on answering.
    page.locator("#q-4 input[value='2']").check()
    assert _saved(attempt) == {1: 1, 2: 3}

    # The network returns: everything reaches the server and the attempt goes on to the end.
    _offline(page, False)
    assert _wait_for(lambda: _saved(attempt) == {1: 1, 2: 3, 3: 0, 4: 2}), _saved(attempt)
    expect(notice).to_be_hidden()
    page.locator("#q-5 input[value='1']").check()
    expect(page.locator("[data-save-status]")).to_have_text("Đã lưu câu 5.")
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Nộp bài").click()
    expect(page).to_have_url(re.compile(r"/quiz/attempts/\d+/result/$"))
    # The result page makes the worker forget the copy of the finished attempt.
    assert _wait_for(lambda: not [p for p in _cached_paths(page) if p.endswith(f"/quiz/attempts/{attempt.pk}/")])
    assert csp_errors == []


def test_an_attempt_address_without_a_copy_shows_the_vietnamese_offline_page(page, login):
    user = contestant(user__email="chua.co.ban.luu@example.com")
    login(user.email)
    _worker_active(page)
    for _try in range(10):  # any page in the worker's scope, opened until the worker controls it
        page.goto(f"{page.base_url}/quiz/attempts/offline/")
        if page.evaluate("() => !!navigator.serviceWorker.controller"):
            break
        page.wait_for_timeout(300)
    _offline(page, True)
    page.goto(f"{page.base_url}/quiz/attempts/987654/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Đang mất mạng, bài vẫn được giữ")
    expect(page).to_have_url(re.compile(r"/quiz/attempts/987654/$"))  # a reload tries the attempt again
    _shot(page, "attempt-offline-page-390", full_page=False)


def test_signing_out_forgets_the_copies_of_attempt_pages(page, login):
    round = sealed_round()
    user = contestant(user__email="may.chung@example.com")
    login(user.email)
    _worker_active(page)
    page.goto(f"{page.base_url}/quiz/rounds/{round.pk}/")
    page.get_by_role("button", name="Bắt đầu làm bài").click()
    expect(page).to_have_url(re.compile(r"/quiz/attempts/\d+/$"))
    assert _wait_for(lambda: any(p.startswith("quiz-attempt-copies") for p in _cached_paths(page)))

    page.locator(".nav-menu summary").click()
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_load_state()
    assert _wait_for(lambda: not any(p.startswith("quiz-attempt-copies") for p in _cached_paths(page)))
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('quiz-seen-')).length") == 0


def test_a_staff_page_never_comes_from_the_workers_cache(page, login):
    page.set_viewport_size(STAFF)
    secretary = staff_user(Role.SECRETARIAT)
    login(secretary.email)
    _worker_active(page)
    page.goto(f"{page.base_url}/reports/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert page.evaluate("navigator.serviceWorker.controller") is None  # outside its scope
    assert not [p for p in _cached_paths(page) if "/reports/" in p or "/admin/" in p]

    _offline(page, True)
    with pytest.raises(PlaywrightError, match="ERR_INTERNET_DISCONNECTED"):
        page.reload()
