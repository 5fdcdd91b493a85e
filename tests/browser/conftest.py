"""Browser tests: Playwright for Python driving Debian's Chromium at a phone viewport (390×844).

They skip, loudly, only where no Chromium is installed; with REQUIRE_BROWSER=1 (CI) a missing
browser is a failure."""

import inspect
import os
import shutil
import sys
from pathlib import Path

import pytest

# context.set_offline does not reach a service worker's own requests (microsoft/playwright#2311):
# with these events a context route can cut them too (tests/browser/test_offline_shell.py).
os.environ.setdefault("PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS", "1")
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
PHONE = {"width": 390, "height": 844}
STAFF = {"width": 1366, "height": 768}


def _chromium_available() -> bool:
    return os.path.exists(CHROMIUM)


def _stack_without_sources(context=1):
    """inspect.stack as Playwright's sync API uses it (each frame's file, line and locals, to name
    the API call in its errors), without looking up each frame's source file and module: at every
    call of the API, that lookup alone was 4 % of the whole suite's time."""
    frame, frames = sys._getframe(1), []
    while frame is not None:
        frames.append(inspect.FrameInfo(frame, frame.f_code.co_filename, frame.f_lineno, frame.f_code.co_name, None, None))
        frame = frame.f_back
    return frames


class _Inspect:
    """The `inspect` module with a cheaper `stack` (see _stack_without_sources)."""

    stack = staticmethod(_stack_without_sources)

    def __getattr__(self, name):
        return getattr(inspect, name)


def _cheaper_call_sites():
    from playwright._impl import _connection, _sync_base

    for module in (_sync_base, _connection):
        if getattr(module, "inspect", None) is inspect:
            module.inspect = _Inspect()


@pytest.fixture(scope="session")
def browser():
    if not _chromium_available():
        message = f"NO CHROMIUM at {CHROMIUM}: browser tests cannot run (apt-get install chromium)"
        if os.environ.get("REQUIRE_BROWSER") == "1" or os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    _cheaper_call_sites()
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="vi-VN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.base_url = live_server.url
    yield page
    context.close()


@pytest.fixture
def login(page):
    """Log a user in through the real login form."""

    def _login(email: str, password: str = "DemoPass123!"):
        page.goto(page.base_url + "/accounts/login/")
        page.get_by_label("E-mail").fill(email)
        page.get_by_label("Mật khẩu").fill(password)
        page.get_by_role("button", name="Đăng nhập").click()
        page.wait_for_load_state()

    return _login


def assert_fits_phone(page) -> None:
    """Nothing on the page is wider than the phone's screen (no sideways scrolling of the page)."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"page is {width}px wide on a {PHONE['width']}px screen"


def screenshot(page, name: str, *, full_page: bool = True) -> None:
    """The page as $SCREENSHOTS_OUT/<name>.png, to be looked at, when that variable is set
    (`make screenshots` uses the same one); nothing otherwise."""
    folder = os.environ.get("SCREENSHOTS_OUT")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{folder}/{name.removesuffix('.png')}.png", full_page=full_page)
