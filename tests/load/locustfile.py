"""The Monday-morning rush, run by `make loadtest` against gunicorn on this machine only.

LOADTEST_SCENARIO picks what the contestants do (docs/performance.md):
- capacity: a few contestants (already signed in) take attempts back to back with no pause:
  start, the attempt page, 20 autosaves (one per answer, as the page sends answers chosen more
  than 2 s apart), submit, the result page. Whole attempts per second at saturation.
- concurrent: many contestants (already signed in) answer one question every ~3 s, autosaved.
- rush: every contestant (already signed in) starts an attempt once, all within ~10 s.
- logins: contestants sign in through the login form, spread over the run; nothing else.

Sessions for the signed-in scenarios are made beforehand by tests/load/sessions.py. Each
acknowledged answer is written to LOADTEST_ACKS at the end; tests/load/check.py then counts the
acknowledged answers that are not in the database (lost answers)."""

import json
import os
import random
import re
import time
from http.cookiejar import Cookie
from pathlib import Path

import gevent
from locust import constant, events, task
from locust.contrib.fasthttp import FastHttpUser

SCENARIO = os.environ.get("LOADTEST_SCENARIO") or "capacity"
LABEL = os.environ.get("LOADTEST_LABEL") or SCENARIO  # two_nodes and faults send capacity and concurrent traffic
ROUND_ID = os.environ["LOADTEST_ROUND"]
USERS = int(os.environ.get("LOADTEST_USERS") or "32")
SESSIONS = json.loads(Path(os.environ["LOADTEST_SESSIONS"]).read_text()) if os.environ.get("LOADTEST_SESSIONS") else []
THINK = float(os.environ.get("LOADTEST_THINK") or "3")  # make exports unset variables as ""  # seconds per answer in "concurrent"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TOKEN = re.compile(r'data-autosave-token="([^"]+)"')
QUESTION = re.compile(r'name="q(\d+)" value="(\d+)"')
FORM_ACTION = re.compile(r'action="/quiz/attempts/(\d+)/" id="attempt-form"')

_next_user = iter(range(10**9))
acknowledged: dict[tuple[int, int], int] = {}  # (attempt, position) → index the server said it saved
counts = {"attempts": 0, "autosave_refused": 0, "signed_out": 0}
scored: list[int] = []  # attempts whose submit the server answered with the result page
failures: list[tuple[float, str, str]] = []  # (when, request, what): the faults' report puts each under its fault


def _cookie(name: str, value: str, host: str) -> Cookie:
    return Cookie(0, name, value, None, False, host, False, False, "/", True, False, None, False, None, None, {})


class Contestant(FastHttpUser):
    wait_time = constant(0)
    connection_timeout = 60.0
    network_timeout = 60.0

    def on_start(self):
        self.n = next(_next_user) % USERS
        self.done = False
        self.csrf = None
        if SCENARIO == "logins":
            return
        host = self.host.split("//", 1)[1].split(":")[0]
        self.client.cookiejar.set_cookie(_cookie("sessionid", SESSIONS[self.n], host))

    # --- the steps ------------------------------------------------------------------------------

    def _csrf_token(self):
        if self.csrf is None:
            page = self.client.get(f"/quiz/rounds/{ROUND_ID}/", name="round page")
            found = CSRF.search(page.text or "")  # none when the page failed (a fault)
            self.csrf = found.group(1) if found else None
        return self.csrf

    def _start(self):
        token = self._csrf_token()
        if token is None:
            return None
        referer = self.host + f"/quiz/rounds/{ROUND_ID}/"
        # Redirects are followed (as a browser does): the time is the start and the attempt page.
        with self.client.post(f"/quiz/rounds/{ROUND_ID}/start/", data={"csrfmiddlewaretoken": token},
                              headers={"Referer": referer}, name="start + attempt page",
                              catch_response=True) as page:  # fmt: skip
            if page.status_code == 200 and 'name="password"' in (page.text or ""):
                counts["signed_out"] += 1  # the session did not survive: the login page
                page.failure("signed out")
                return None
        match = FORM_ACTION.search(page.text or "")
        if page.status_code != 200 or not match:
            self.csrf = None  # a failed start (a fault): the next one reads the round page again
            return None
        attempt_id = int(match.group(1))
        found = TOKEN.search(page.text or "")
        options = {}
        for position, value in QUESTION.findall(page.text or ""):
            options.setdefault(int(position), []).append(value)
        if not options:
            return None
        # Without a token (the page before the lean path): one answer a request, with the session.
        return attempt_id, found.group(1) if found else None, {p: random.choice(v) for p, v in options.items()}

    def _autosave(self, attempt_id, token, batch):
        if token:
            body, headers = {"token": token} | {f"q{p}": v for p, v in batch.items()}, {}
        else:
            [(position, index)] = batch.items()
            body, headers = {"position": position, "index": index}, {"X-CSRFToken": self.csrf}
        url = f"/quiz/attempts/{attempt_id}/save/"
        with self.client.post(url, data=body, headers=headers, name="autosave", catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"autosave {r.status_code}")
                counts["autosave_refused"] += 1
                return
            saved = r.json().get("saved", [])
            for position in list(batch) if saved is True else saved:
                acknowledged[(attempt_id, position)] = int(batch[position])

    def _submit(self, attempt_id, answers):
        form = {"csrfmiddlewaretoken": self.csrf} | {f"q{p}": v for p, v in answers.items()}
        referer = self.host + f"/quiz/attempts/{attempt_id}/"
        result = self.client.post(f"/quiz/attempts/{attempt_id}/", data=form, headers={"Referer": referer},
                                  name="submit + result")  # fmt: skip
        if result.status_code == 200 and "data-score" in (result.text or ""):
            counts["attempts"] += 1
            scored.append(attempt_id)

    def _login(self):
        page = self.client.get("/accounts/login/", name="login page")
        token = CSRF.search(page.text or "").group(1)
        form = {"csrfmiddlewaretoken": token, "login": f"load{self.n + 1}@example.com", "password": "DemoPass123!"}
        # The redirect after the login is followed: the time is the login and the home page.
        with self.client.post("/accounts/login/", data=form, headers={"Referer": self.host + "/accounts/login/"},
                              name="login + home", catch_response=True) as response:  # fmt: skip
            if response.status_code != 200 or 'name="password"' in (response.text or ""):
                response.failure("login refused")

    # --- the scenarios ----------------------------------------------------------------------------

    def _idle(self):
        gevent.sleep(3600)

    def _take_an_attempt(self, think: float):
        started = self._start()
        if started is None:
            if think:
                gevent.sleep(think)  # as a person would, before pressing «Bắt đầu» again
            return
        attempt_id, token, answers = started
        for position, value in answers.items():
            if think:
                gevent.sleep(random.uniform(think * 0.5, think * 1.5))
            self._autosave(attempt_id, token, {position: value})
        self._submit(attempt_id, answers)

    @task
    def act(self):
        if self.done:
            return self._idle()
        if SCENARIO == "logins":
            self._login()
            self.done = True
        elif SCENARIO == "rush":
            self._csrf_token()
            self._start()
            self.done = True
        elif SCENARIO == "concurrent":
            self._take_an_attempt(THINK)
        else:
            self._take_an_attempt(0)


@events.request.add_listener
def _failed(name, exception=None, response=None, **kwargs):
    if exception is not None:
        status = getattr(response, "status_code", 0) or type(exception).__name__
        failures.append((round(time.time(), 3), name, str(status)))


@events.test_start.add_listener
def _started(environment, **kwargs):
    environment.loadtest_started = time.time()


@events.quitting.add_listener
def _report(environment, **kwargs):
    stats = environment.stats
    elapsed = max(1e-9, time.time() - getattr(environment, "loadtest_started", time.time()))
    rows = []
    for entry in sorted(stats.entries.values(), key=lambda e: e.name):
        rows.append({
            "name": entry.name, "requests": entry.num_requests, "failures": entry.num_failures,
            "p50": entry.get_response_time_percentile(0.5), "p95": entry.get_response_time_percentile(0.95),
            "p99": entry.get_response_time_percentile(0.99), "max": round(entry.max_response_time or 0),
        })  # fmt: skip
    summary = {
        "scenario": SCENARIO, "round": int(ROUND_ID),
        "users": USERS, "seconds": round(elapsed, 1), "requests": stats.total.num_requests,
        "errors": stats.total.num_failures, "whole_attempts": counts["attempts"],
        "attempts_per_second": round(counts["attempts"] / elapsed, 2), "autosave_refused": counts["autosave_refused"],
        "acknowledged_answers": len(acknowledged), "signed_out": counts["signed_out"], "rows": rows,
    }  # fmt: skip
    print(f"\n== {LABEL}: {USERS} contestants, {elapsed:.0f} s ==")
    print(f"{'request':<22}{'count':>8}{'fail':>6}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for r in rows:
        print(f"{r['name']:<22}{r['requests']:>8}{r['failures']:>6}{r['p50']:>9.0f}{r['p95']:>9.0f}{r['p99']:>9.0f}{r['max']:>9}")
    print(f"requests {summary['requests']}, errors {summary['errors']}, whole attempts {counts['attempts']} "
          f"({summary['attempts_per_second']}/s), acknowledged answers {len(acknowledged)}, "
          f"sessions lost {counts['signed_out']}")  # fmt: skip
    if os.environ.get("LOADTEST_ACKS"):
        with open(os.environ["LOADTEST_ACKS"], "w") as f:
            acks = [[a, p, i] for (a, p), i in acknowledged.items()]
            json.dump({"summary": summary, "acks": acks, "scored": scored, "failures": failures}, f)
