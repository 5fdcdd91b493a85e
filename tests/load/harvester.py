"""A harvester of the answer key, to measure what the round's limits leave it.

It plays the way the script seen on the demo did: each attempt answers one question and submits at
once, then reads the score (0 or 1) on the result page. A score of 1 means the option was right;
0 eliminates it; with four options the last one left is right without a probe. Options are known
by their text (the page shuffles them), questions by their text.

Two ways to run it:

    python tests/load/harvester.py [--limits default|off|both] [--seed N]
        In-process, on a throwaway test database: a 48-question week open for 8 days with honest
        contestants beside the harvester; Django's test client drives the real views while the
        clock (django.utils.timezone.now) is simulated, jumping to the time each refusal names.
        Prints how many answers it learned, in how many attempts, per hour and per window, and
        whether the integrity review names its account.

    python tests/load/harvester.py --url http://127.0.0.1:8000 --round ID --email E --password P
        Over HTTP against a running server, in real time: it stops at the first refusal (or waits
        for the time the refusal names with --wait).

tests/load/test_harvester.py runs the in-process scenario both ways."""

import argparse
import dataclasses
import datetime
import html
import http.cookiejar
import os
import random
import re
import sys
import time
import urllib.parse
import urllib.request
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SCORE = re.compile(r"data-score>\s*(\d+)/(\d+)\s*<")
MESSAGE = re.compile(r'<li class="message[^"]*">(.*?)</li>', re.S)
PACE_FIELDS = ("attempts_per_day", "min_start_interval_minutes")
AT_TIME = re.compile(r"lúc (\d{1,2}):(\d{2})(?: ngày (\d{1,2})/(\d{1,2}))?")


# --- Reading pages ------------------------------------------------------------------------------------


class AttemptPage(HTMLParser):
    """The contract markup of the attempt page: a <fieldset> per question, its <legend> the text,
    a radio per option inside its <label>. Collects [(legend, [(name, value, label text)])]."""

    def __init__(self):
        super().__init__()
        self.questions: list[tuple[str, list[tuple[str, str, str]]]] = []
        self.prediction = False
        self._legend = self._label = None
        self._input = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "fieldset":
            self.questions.append(["", []])
        elif tag == "legend":
            self._legend = []
        elif tag == "label":
            self._label = []
        elif tag == "input" and attrs.get("type") == "radio" and self.questions:
            self._input = (attrs["name"], attrs["value"])
        elif tag == "input" and attrs.get("name") == "prediction":
            self.prediction = True

    def handle_endtag(self, tag):
        if tag == "legend" and self._legend is not None:
            text = " ".join("".join(self._legend).split())
            self.questions[-1][0] = re.sub(r"^Câu \d+\.\s*", "", text)
            self._legend = None
        elif tag == "label" and self._label is not None:
            if self._input is not None:
                text = re.sub(r"^[A-F]\.\s*", "", " ".join("".join(self._label).split()))
                self.questions[-1][1].append((*self._input, text))
            self._label = self._input = None

    def handle_data(self, data):
        if self._legend is not None:
            self._legend.append(data)
        if self._label is not None:
            self._label.append(data)


def parse_attempt(page: str):
    parser = AttemptPage()
    parser.feed(page)
    questions = [(text, options) for text, options in parser.questions if options]
    return questions, parser.prediction


def next_time(message: str, now: datetime.datetime) -> datetime.datetime | None:
    """The moment a refusal says the next attempt may start, or None (no more in this round)."""
    local = now.astimezone(VN)
    if "ngày mai" in message:
        return datetime.datetime.combine(local.date() + datetime.timedelta(days=1), datetime.time(0, 0), tzinfo=VN)
    found = AT_TIME.search(message)
    if not found or "đóng" in message:
        return None
    hour, minute, day, month = found.groups()
    date = local.date() if day is None else local.date().replace(month=int(month), day=int(day))
    if date < local.date():
        date = date.replace(year=date.year + 1)
    return datetime.datetime.combine(date, datetime.time(int(hour), int(minute)), tzinfo=VN)


# --- Transports: Django's test client or HTTP -----------------------------------------------------------


class DjangoTransport:
    def __init__(self, client):
        self.client = client

    def get(self, path):
        response = self.client.get(path, follow=True)
        return response.request["PATH_INFO"], response.content.decode()

    def post(self, path, data):
        response = self.client.post(path, data, follow=True)
        return response.request["PATH_INFO"], response.content.decode()


class HttpTransport:
    def __init__(self, base_url):
        self.base = base_url.rstrip("/")
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.token = ""

    def _open(self, path, data=None):
        url = self.base + path
        body = None
        if data is not None:
            body = urllib.parse.urlencode({"csrfmiddlewaretoken": self.token, **data}).encode()
        request = urllib.request.Request(url, data=body, headers={"Referer": url})
        with self.opener.open(request) as response:
            page = response.read().decode()
            found = CSRF.search(page)
            if found:
                self.token = found.group(1)
            return urllib.parse.urlparse(response.url).path, page

    def get(self, path):
        return self._open(path)

    def post(self, path, data):
        if not self.token:
            self._open(path.rsplit("/start/", 1)[0] + "/" if "/start/" in path else path)
        return self._open(path, data)

    def login(self, email, password):
        self._open("/accounts/login/")
        self._open("/accounts/login/", {"login": email, "password": password})


# --- The harvester --------------------------------------------------------------------------------------


@dataclasses.dataclass
class Outcome:
    started: bool
    message: str = ""
    score: int | None = None


class Harvester:
    def __init__(self, transport, round_id: int):
        self.transport = transport
        self.round_id = round_id
        self.known: dict[str, str] = {}
        self.wrong: dict[str, set[str]] = {}
        self.attempts = 0
        self.refusals = 0
        self.best = 0
        self.learned_at: list[datetime.datetime] = []

    def probe(self, now: datetime.datetime) -> Outcome:
        """One attempt: start, answer one question not yet known (the one in progress first),
        submit, read the score."""
        path, page = self.transport.post(f"/quiz/rounds/{self.round_id}/start/", {})
        if "/quiz/attempts/" not in path:
            messages = [html.unescape(re.sub(r"<[^>]+>", "", m)).strip() for m in MESSAGE.findall(page)]
            self.refusals += 1
            return Outcome(False, " ".join(messages))
        self.attempts += 1
        attempt_path = path
        questions, prediction = parse_attempt(page)
        unknown = [(text, options) for text, options in questions if text not in self.known]
        answers = {}
        target = None
        if unknown:
            target = max(unknown, key=lambda q: len(self.wrong.get(q[0], ())))  # a question in progress first
            text, options = target
            name, value, choice = next(o for o in sorted(options, key=lambda o: o[2]) if o[2] not in self.wrong.get(text, ()))
            answers[name] = value
        if prediction:
            answers["prediction"] = "0"
        _path, result = self.transport.post(attempt_path, answers)
        found = SCORE.search(result)
        score = int(found.group(1)) if found else 0
        self.best = max(self.best, score)
        if target is not None:
            text, options = target
            if score >= 1:
                self._learn(text, choice, now)
            else:
                self.wrong.setdefault(text, set()).add(choice)
                left = [o[2] for o in options if o[2] not in self.wrong[text]]
                if len(left) == 1:
                    self._learn(text, left[0], now)
        return Outcome(True, score=score)

    def _learn(self, text, choice, now):
        self.known[text] = choice
        self.learned_at.append(now)

    def full_attempt(self) -> int:
        """An attempt answered with everything learned: the score the harvest buys."""
        path, page = self.transport.post(f"/quiz/rounds/{self.round_id}/start/", {})
        if "/quiz/attempts/" not in path:
            return -1
        self.attempts += 1
        questions, prediction = parse_attempt(page)
        answers = {"prediction": "0"} if prediction else {}
        for text, options in questions:
            for name, value, choice in options:
                if self.known.get(text) == choice:
                    answers[name] = value
        _path, result = self.transport.post(path, answers)
        found = SCORE.search(result)
        score = int(found.group(1)) if found else 0
        self.best = max(self.best, score)
        return score


# --- In-process: a simulated clock over a whole window ---------------------------------------------------


class Clock:
    """Stands in for django.utils.timezone.now while the harvest plays."""

    def __init__(self, start):
        self.now = start

    def __call__(self):
        return self.now.astimezone(datetime.UTC)


@dataclasses.dataclass
class Report:
    limits: str
    pool: int
    attempts: int
    refusals: int
    learned: int
    best_score: int
    hours_to_last_answer: float
    window_hours: float
    flagged: list[str]

    @property
    def per_hour(self) -> float:
        return self.learned / self.hours_to_last_answer if self.hours_to_last_answer else 0.0

    @property
    def per_window_hour(self) -> float:
        return self.learned / self.window_hours

    def lines(self) -> list[str]:
        return [
            f"limits: {self.limits}",
            f"  answers learned: {self.learned} of {self.pool} ({self.learned / self.pool:.0%}) in {self.attempts} attempts"
            f" ({self.refusals} refusals)",
            f"  best score: {self.best_score}/20",
            f"  first attempt to last answer learned: {self.hours_to_last_answer:.2f} h"
            f" -> {self.per_hour:.2f} answers/hour; over the {self.window_hours:.0f} h window: {self.per_window_hour:.2f}/hour",
            f"  integrity review: {', '.join(self.flagged) or 'nothing'}",
        ]


def build_week(*, seed: int, limits: bool, pool: int = 48, days: int = 8, honest: int = 20):
    """A sealed week of `pool` questions (four options, the right one at a seeded place), open for
    `days` days from a Monday 07:00, with `honest` contestants who play one to four attempts on
    random days. Returns (round, harvester account, opens_at)."""
    from quiz.models import Option, Round
    from quiz.services.pool import round_pool_add
    from quiz.services.rounds import round_approve
    from tests.factories import UserFactory, contestant
    from tests.quiz.factories import FieldFactory, QuestionFactory, RoundFactory

    rng = random.Random(seed)
    opens = datetime.datetime(2025, 3, 3, 7, 0, tzinfo=VN)
    # The model's defaults (what a new round gets), or no pace at all.
    pace = {name: Round._meta.get_field(name).default if limits else None for name in PACE_FIELDS}
    round = RoundFactory(opens_at=opens, closes_at=opens + datetime.timedelta(days=days), **pace)
    fields = [FieldFactory() for _ in range(4)]
    questions = [QuestionFactory(field=fields[n % 4], options=4) for n in range(pool)]
    for question in questions:
        right = rng.randrange(4)
        Option.objects.filter(question=question).update(is_correct=False)
        Option.objects.filter(question=question, letter="ABCD"[right]).update(is_correct=True)
    round_pool_add(round=round, question_ids=[q.pk for q in questions])
    round_approve(round=round, by=UserFactory(is_staff=True))
    round.refresh_from_db()
    people = [contestant() for _ in range(honest)]
    plays = []
    for person in people:
        for _ in range(rng.randint(1, 4)):
            plays.append((opens + datetime.timedelta(minutes=rng.randrange(days * 24 * 60 - 60)), person))
    return round, contestant(), opens, sorted(plays, key=lambda p: p[0]), rng


def _honest_attempt(round, user, rng):
    from quiz.errors import QuizError
    from quiz.models import Option
    from quiz.services.attempts import attempt_start, attempt_submit

    try:
        attempt = attempt_start(round=round, user=user)
    except QuizError:
        return
    answers = {}
    for item in attempt.items.all():
        right = next(i for i, oid in enumerate(item.option_ids) if Option.objects.get(pk=oid).is_correct)
        answers[item.position] = right if rng.random() < 0.8 else (right + 1) % item.option_count
    attempt_submit(attempt=attempt, user=user, answers=answers)


def play_window(*, seed: int = 2025, limits: bool = True, pace_seconds: int = 15) -> Report:
    """The whole scenario in the current (test) database; returns the figures."""
    from unittest import mock

    from django.test import Client

    from audit import integrity
    from quiz.services import attempts

    with mock.patch.object(attempts, "_random", random.Random(seed)):
        round, harvester_user, opens, plays, rng = build_week(seed=seed, limits=limits)
        clock = Clock(opens)
        client = Client()
        with mock.patch("django.utils.timezone.now", clock):
            client.force_login(harvester_user)
            harvester = Harvester(DjangoTransport(client), round.pk)
            pool = round.pool.count()
            first = None
            while clock.now < round.closes_at and len(harvester.known) < pool:
                while plays and plays[0][0] <= clock.now:
                    _moment, person = plays.pop(0)
                    _honest_attempt(round, person, rng)
                outcome = harvester.probe(clock.now)
                if outcome.started:
                    first = first or clock.now
                    clock.now += datetime.timedelta(seconds=pace_seconds)
                    continue
                at = next_time(outcome.message, clock.now)
                if at is None:
                    break
                clock.now = max(at, clock.now + datetime.timedelta(minutes=1))
            if len(harvester.known) == pool:
                harvester.full_attempt()
            for moment, person in plays:  # the rest of the honest week
                clock.now = moment
                _honest_attempt(round, person, rng)
            clock.now = round.closes_at + datetime.timedelta(minutes=1)
            flagged = sorted(c.kind for c in integrity.cases(contest=round.contest) if harvester_user.pk in c.user_ids)
    last = harvester.learned_at[-1] if harvester.learned_at else first or opens
    return Report(
        limits="default (2 a day, 30 min)" if limits else "off",
        pool=pool,
        attempts=harvester.attempts,
        refusals=harvester.refusals,
        learned=len(harvester.known),
        best_score=harvester.best,
        hours_to_last_answer=max((last - (first or opens)).total_seconds() / 3600, 1 / 3600),
        window_hours=(round.closes_at - round.opens_at).total_seconds() / 3600,
        flagged=flagged,
    )


def _in_process(args) -> int:
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contest_site.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        for limits in {"default": [True], "off": [False], "both": [True, False]}[args.limits]:
            report = play_window(seed=args.seed, limits=limits, pace_seconds=args.pace)
            print("\n".join(report.lines()))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    return 0


def _over_http(args) -> int:
    transport = HttpTransport(args.url)
    transport.login(args.email, args.password)
    harvester = Harvester(transport, args.round)
    while harvester.attempts < args.max_attempts:
        now = datetime.datetime.now(VN)
        outcome = harvester.probe(now)
        if outcome.started:
            continue
        print(f"refused: {outcome.message}")
        at = next_time(outcome.message, now)
        if at is None or not args.wait:
            break
        time.sleep(max(1.0, (at - datetime.datetime.now(VN)).total_seconds() + 1))
    print(f"answers learned: {len(harvester.known)} in {harvester.attempts} attempts ({harvester.refusals} refusals)")
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limits", choices=["default", "off", "both"], default="both")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--pace", type=int, default=15, help="seconds one attempt takes the script (in-process)")
    parser.add_argument("--url", help="a running server: play over HTTP in real time")
    parser.add_argument("--round", type=int, help="the round's id (with --url)")
    parser.add_argument("--email")
    parser.add_argument("--password")
    parser.add_argument("--max-attempts", type=int, default=200)
    parser.add_argument("--wait", action="store_true", help="with --url: wait for the time a refusal names")
    args = parser.parse_args(argv)
    if args.url:
        if not (args.round and args.email and args.password):
            parser.error("--url needs --round, --email and --password")
        return _over_http(args)
    return _in_process(args)


if __name__ == "__main__":
    sys.exit(main())
