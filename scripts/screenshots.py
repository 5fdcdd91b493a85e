"""Screenshots of each role's main screens, on the screen that role really uses: contestants and
judges on a phone (390×844), the secretariat and the organizers on a laptop (1366×768). Each role
logs in through the real login form. Saves NN-role-screen.png (what is in view) and
NN-role-screen-full.png (the whole page) and prints, per screen, the page's width when it is
wider than the screen (sideways scrolling) and elements cut off at the right edge.

Run against the demo: `make screenshots` (scripts/demo_server.sh starts it), or
`python scripts/screenshots.py --base http://127.0.0.1:8000 --out /tmp/shots` on a running demo."""

import argparse
import os
import re
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}
PASSWORD = "DemoPass123!"

# Elements whose right edge is past the viewport although the page does not scroll sideways
# (cut by an overflow:hidden parent), or that make the page scroll sideways. A table inside a
# scrolling wrapper is intended and not reported.
OVERFLOW_JS = """() => {
  const vw = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.querySelectorAll('main *')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.right <= vw + 1) continue;
    let p = el.parentElement, scrolled = false;
    while (p && p !== document.body) {
      const s = getComputedStyle(p);
      if (['auto', 'scroll'].includes(s.overflowX) && p.scrollWidth > p.clientWidth) { scrolled = true; break; }
      p = p.parentElement;
    }
    if (!scrolled) out.push(el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ')[0] : ''));
  }
  return [...new Set(out)].slice(0, 6);
}"""


def login(page, base: str, email: str) -> None:
    page.goto(base + "/accounts/login/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()
    if "/accounts/login/" in page.url:
        sys.exit(f"cannot log in as {email}")


def first_link(page, pattern: str) -> str | None:
    """The first link in the page's main content whose href matches."""
    hrefs = page.eval_on_selector_all("main a[href]", "links => links.map(a => a.getAttribute('href'))")
    return next((h for h in hrefs if re.search(pattern, h)), None)


class Shooter:
    def __init__(self, out: Path):
        self.out = out
        self.count = 0
        self.problems = []

    def shot(self, page, role: str, name: str, *, full: bool = True) -> None:
        page.wait_for_load_state("networkidle")
        self.count += 1
        stem = f"{self.count:02d}-{role}-{name}"
        page.screenshot(path=self.out / f"{stem}.png")
        if full:
            page.screenshot(path=self.out / f"{stem}-full.png", full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        viewport = page.viewport_size["width"]
        cut = page.evaluate(OVERFLOW_JS)
        note = ""
        if width > viewport:
            note += f" page {width}px wide on {viewport}px;"
        if cut:
            note += " past the right edge: " + ", ".join(cut)
        if note:
            self.problems.append(f"{stem}:{note}")
        print(f"{stem}  {page.url}{'  !' + note if note else ''}")


def contestant(context, base, shoot):
    page = context.new_page()
    login(page, base, "contestant@example.com")
    for name, path in [("home", "/"), ("rounds", "/quiz/"), ("rules", "/rules/"), ("documents", "/documents/")]:
        page.goto(base + path)
        shoot(page, "contestant", name)
    # The weekly round open now: the first round the home page offers.
    page.goto(base + "/")
    page.goto(base + first_link(page, r"/quiz/rounds/\d+/$"))
    shoot(page, "contestant", "round")
    start = page.locator("form[action$='/start/'] button")
    if start.count():
        start.first.click()
        page.wait_for_url(re.compile(r"/quiz/attempts/\d+/$"))
        page.locator("input[type=radio]").first.check()
        shoot(page, "contestant", "attempt")
        # At the bottom of a long attempt the sticky bar (time, answered, save status) stays in view.
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        shoot(page, "contestant", "attempt-bottom", full=False)
    page.goto(base + "/quiz/my-results/")
    shoot(page, "contestant", "my-results")
    result = first_link(page, r"/result/$")
    if result:
        page.goto(base + result)
        shoot(page, "contestant", "result")
    page.goto(base + "/quiz/")
    board = first_link(page, r"/leaderboard/$")
    if board:
        page.goto(base + board)
        shoot(page, "contestant", "leaderboard")
    for name, path in [("essays", "/essays/"), ("essay-form", "/essays/new/"), ("profile", "/accounts/profile/")]:
        page.goto(base + path)
        shoot(page, "contestant", name)


def judge(context, base, shoot):
    page = context.new_page()
    login(page, base, "judge2@example.com")
    page.goto(base + "/judging/")
    shoot(page, "judge", "queue")
    page.goto(base + first_link(page, r"/judging/sheets/\d+/$"))
    shoot(page, "judge", "sheet")
    jump = page.locator("[data-jump-to-sheet]")
    if jump.count():
        jump.first.click()
        shoot(page, "judge", "sheet-rubric", full=False)


def secretariat(context, base, shoot):
    page = context.new_page()
    login(page, base, "secretariat@example.com")
    page.goto(base + "/reports/")
    shoot(page, "secretariat", "dashboard")
    hrefs = page.eval_on_selector_all("main a[href*='/winners/']", "links => links.map(a => a.getAttribute('href'))")
    for href in list(dict.fromkeys(hrefs))[:3]:
        page.goto(base + href)
        shoot(page, "secretariat", "winners" if "/rounds/" in href else "essay-winners")
    for name, path in [("integrity", "/reports/integrity/"), ("decisions", "/reports/decisions/"),
                       ("essays", "/essays/manage/"), ("stats", "/stats/")]:  # fmt: skip
        page.goto(base + path)
        shoot(page, "secretariat", name)
    page.goto(base + "/essays/manage/")
    screen = first_link(page, r"/essays/manage/\d+/$")
    if screen:
        page.goto(base + screen)
        shoot(page, "secretariat", "essay-screen")


def organizer(context, base, shoot):
    page = context.new_page()
    login(page, base, "organizer@example.com")
    for name, path in [("admin", "/admin/"), ("admin-rounds", "/admin/quiz/round/"),
                       ("admin-questions", "/admin/quiz/question/"), ("admin-users", "/admin/accounts/user/")]:  # fmt: skip
        page.goto(base + path)
        shoot(page, "organizer", name)
    page.goto(base + "/admin/quiz/round/")
    page.locator("#result_list tbody a").first.click()
    shoot(page, "organizer", "admin-round")
    for name, path in [("reports", "/reports/"), ("manage-round", "/quiz/manage/rounds/2/")]:
        page.goto(base + path)
        shoot(page, "organizer", name)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default=os.environ.get("DEMO_URL", "http://127.0.0.1:8021"))
    parser.add_argument("--out", default=os.environ.get("SCREENSHOTS_OUT", Path(tempfile.gettempdir()) / "shots"))
    parser.add_argument("--chromium", default=os.environ.get("CHROME_PATH", "/usr/bin/chromium"))
    parser.add_argument("--only", nargs="*", choices=["contestant", "judge", "secretariat", "organizer"])
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    shooter = Shooter(out)
    roles = [(contestant, PHONE, True), (judge, PHONE, True), (secretariat, LAPTOP, False), (organizer, LAPTOP, False)]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=args.chromium, args=["--no-sandbox", "--disable-gpu"])
        for walk, viewport, phone in roles:
            if args.only and walk.__name__ not in args.only:
                continue
            context = browser.new_context(
                viewport=viewport, device_scale_factor=2 if phone else 1, is_mobile=phone, has_touch=phone, locale="vi-VN"
            )
            context.set_default_timeout(15_000)
            walk(context, args.base, shooter.shot)
            context.close()
        browser.close()
    print(f"\n{shooter.count} screens in {out}/")
    for problem in shooter.problems:
        print("  " + problem)
    return 0


if __name__ == "__main__":
    sys.exit(main())
