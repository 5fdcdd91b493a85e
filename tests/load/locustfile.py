"""The Monday-morning rush: contestants log in, start an attempt, autosave 20 answers, submit and
read the result. Run by `make loadtest` against gunicorn on this machine only."""

import os
import random
import re
from itertools import count

from locust import HttpUser, between, task

ROUND_ID = os.environ["LOADTEST_ROUND"]
USERS = int(os.environ.get("LOADTEST_USERS", "200"))
_next = count(1)
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
QUESTION = re.compile(r'name="q(\d+)" value="(\d+)"')


class Contestant(HttpUser):
    wait_time = between(0.5, 2)

    def on_start(self):
        n = (next(_next) - 1) % USERS + 1
        page = self.client.get("/accounts/login/", name="login page")
        token = CSRF.search(page.text).group(1)
        form = {"csrfmiddlewaretoken": token, "login": f"load{n}@example.com", "password": "DemoPass123!"}
        self.client.post("/accounts/login/", form, headers={"Referer": self.host + "/accounts/login/"}, name="login")

    @task
    def take_an_attempt(self):
        page = self.client.get(f"/quiz/rounds/{ROUND_ID}/", name="round page")
        found = CSRF.search(page.text or "")
        if not found:
            return
        token = found.group(1)
        attempt = self.client.post(f"/quiz/rounds/{ROUND_ID}/start/", {"csrfmiddlewaretoken": token},
                                   headers={"Referer": page.url}, name="start + attempt page")  # fmt: skip
        match = re.search(r"/quiz/attempts/(\d+)/", attempt.url or "")
        if not match:
            return
        attempt_id = match.group(1)
        options = {}
        for position, value in QUESTION.findall(attempt.text):
            options.setdefault(position, []).append(value)
        answers = {position: random.choice(values) for position, values in options.items()}
        headers = {"X-CSRFToken": token, "Referer": attempt.url}
        for position, value in answers.items():
            self.client.post(
                f"/quiz/attempts/{attempt_id}/save/", {"position": position, "index": value}, headers=headers, name="autosave"
            )
        form = {"csrfmiddlewaretoken": token} | {f"q{p}": v for p, v in answers.items()}
        self.client.post(f"/quiz/attempts/{attempt_id}/", form, headers={"Referer": attempt.url}, name="submit + result")
