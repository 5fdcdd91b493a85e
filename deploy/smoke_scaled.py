"""Through the proxy of the scaled stack (deploy/smoke-scaled.sh runs it): a contestant signs in and
takes a whole quiz attempt (start, answers, submit, result). Standard library only; prints what it
did and how long each step took. Usage: python3 deploy/smoke_scaled.py https://localhost:PORT"""

import http.cookiejar
import re
import ssl
import sys
import time
import urllib.parse
import urllib.request

BASE = sys.argv[1].rstrip("/")
assert BASE.startswith("https://"), "the proxy's https address"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
context = ssl.create_default_context()
context.check_hostname, context.verify_mode = False, ssl.CERT_NONE  # the proxy's self-signed certificate
jar = http.cookiejar.CookieJar()
opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=context), urllib.request.HTTPCookieProcessor(jar))


def call(path, data=None, referer=None):
    started = time.monotonic()
    body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
    request = urllib.request.Request(BASE + path, data=body, headers={"Referer": BASE + (referer or path)})  # noqa: S310 - https only
    with opener.open(request, timeout=30) as response:
        text = response.read().decode()
        return response.status, response.geturl(), text, round((time.monotonic() - started) * 1000)


_, _, page, _ = call("/accounts/login/")
status, url, page, ms = call(
    "/accounts/login/",
    {"csrfmiddlewaretoken": CSRF.search(page).group(1), "login": "contestant@example.com", "password": "DemoPass123!"},
)
assert 'name="password"' not in page, "login refused"
print(f"login: {status} in {ms} ms")
_, _, rounds, _ = call("/quiz/")
for pk in dict.fromkeys(re.findall(r'href="/quiz/rounds/(\d+)/"', rounds)):
    _, _, page, _ = call(f"/quiz/rounds/{pk}/")
    if f'action="/quiz/rounds/{pk}/start/"' in page:
        break
else:
    sys.exit("no round open to start")
status, url, page, ms = call(
    f"/quiz/rounds/{pk}/start/", {"csrfmiddlewaretoken": CSRF.search(page).group(1)}, referer=f"/quiz/rounds/{pk}/"
)
attempt = re.search(r'action="/quiz/attempts/(\d+)/" id="attempt-form"', page)
assert status == 200 and attempt, f"start answered {status} at {url}"
attempt = attempt.group(1)
answers = {}
for position, value in re.findall(r'name="q(\d+)" value="(\d+)"', page):
    answers.setdefault(f"q{position}", value)
print(f"start round {pk} → attempt {attempt} with {len(answers)} questions: {status} in {ms} ms")
form = {"csrfmiddlewaretoken": CSRF.search(page).group(1), **answers}
status, url, page, ms = call(f"/quiz/attempts/{attempt}/", form)
assert status == 200 and f"/quiz/attempts/{attempt}/result/" in url, f"submit ended at {url} ({status})"
print(f"submit → {url.removeprefix(BASE)}: {status} in {ms} ms")
status, _, _, ms = call("/stats/")
print(f"/stats/: {status} in {ms} ms")
