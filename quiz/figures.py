"""The figures of the quiz kept so that no page counts every attempt: one home.

Pages (the dashboard, /stats/, the units' pages, a round's figures) read `RoundFigures` rows, a
few per unit and round, instead of aggregating the attempts on each visit. The rows are
recomputed from the attempts, whole, for a contest at a time (`figures_recompute`):

- by the beat (`figures_refresh`, every `FIGURES_STALE_SECONDS`) for every contest with a round
  that can still gain finished attempts (opened, and not yet counted once `LIVE_TAIL` after its
  close with no attempt left open), so a figure on a page is at most that old plus the time of
  one recompute; each question's answers, the heaviest count, at most every
  `QUESTIONS_STALE_SECONDS`;
- at once, in the same transaction, after anything that changes closed attempts: an erratum's
  re-scoring (quiz.services.errata), the simulation (reports.simulation).

Nothing else changes what these rows count: disqualification and prizes are not in them,
anonymization keeps scores and units. `verify_results` recomputes them and reports any
difference (audit.verification). Until a contest's rows exist (a new contest before the beat's
first pass), and always where no beat runs (no broker: `settings.FIGURES_KEPT` off, the embedded
demo), a read computes them in memory, the same function, without storing them.

The figures are those of the seed report: attempts, «lượt người» (people distinct within the
row), attempts and people at the full score and one below it, the fastest full score. A row per
(round, unit, scope): round null is the contest's weekly rounds together (a person is counted
once across the weeks); unit null is everyone; `subtree` counts a unit's whole branch (its
`Organization.path`), and without it only the attempts made under the unit itself. A contestant
who changed unit during a week counts for both units, as the attempts say."""

import contextvars
import itertools
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, Min, Q
from django.db.models.functions import ExtractHour, TruncDate
from django.utils import timezone

from accounts.models import Organization

from .enums import AttemptStatus, RoundKind
from .models import Attempt, AttemptQuestion, Round, RoundFigures

FIGURES_STALE_SECONDS = 60  # the beat's period: the staleness bound of the figures, plus one recompute
QUESTIONS_STALE_SECONDS = 15 * 60  # each question's answers (a round's figures page): counted at most this often
LIVE_TAIL = timedelta(hours=1)  # after a close: the deadline's grace and the beat closing what is left open

_COUNTS = ("attempts", "full_attempts", "near_attempts")
_PEOPLE = ("participants", "full_people", "near_people")
FIGURE_FIELDS = _COUNTS + _PEOPLE + ("fastest_full_ms",)


@dataclass
class _Acc:
    attempts: int = 0
    full_attempts: int = 0
    near_attempts: int = 0
    participants: int = 0
    full_people: int = 0
    near_people: int = 0
    fastest_full_ms: int | None = None


def _chains() -> dict[int, list[int]]:
    """Every unit id → the ids of the units whose branch it lies in (itself included)."""
    return {
        pk: [int(p) for p in path.strip("/").split("/") if p] or [pk]
        for pk, path in Organization.objects.values_list("pk", "path")
    }


def figures_compute(*, contest, questions: bool = True, now=None) -> list[RoundFigures]:
    """Every figures row of the contest, computed from its finished attempts (unsaved). The one
    computation: the recompute stores it, `verify_results` compares it, a read without stored
    rows shows it. Its queries: the units, the rounds, the attempts grouped per person, round and
    unit (streamed), the score distribution and open attempts, and with `questions` each
    question's answers."""
    now = now or timezone.now()
    rounds = {r.pk: r for r in Round.objects.filter(contest=contest).order_by()}
    weekly = {pk for pk, r in rounds.items() if r.kind == RoundKind.WEEKLY and r.approved_at is not None}
    chains = _chains() if rounds else {}
    full = Q(score=F("round__questions_per_attempt"))
    near = Q(score=F("round__questions_per_attempt") - 1)
    grouped = (
        Attempt.objects.finished()
        .filter(round_id__in=rounds)
        .values_list("user_id", "round_id", "organization_id")
        .annotate(
            n=Count("id"), full=Count("id", filter=full), near=Count("id", filter=near),
            fastest=Min("duration_ms", filter=full),
        )
        .order_by("user_id")
    )  # fmt: skip
    acc: dict[tuple, _Acc] = {}

    def add(key, n, n_full, n_near, fastest):
        row = acc.get(key)
        if row is None:
            row = acc[key] = _Acc()
        row.attempts += n
        row.full_attempts += n_full
        row.near_attempts += n_near
        if fastest is not None and (row.fastest_full_ms is None or fastest < row.fastest_full_ms):
            row.fastest_full_ms = fastest

    rows = grouped.iterator(chunk_size=20000) if rounds else ()
    for _user, lines in itertools.groupby(rows, key=lambda line: line[0]):
        seen, seen_full, seen_near = set(), set(), set()
        for _u, round_id, org_id, n, n_full, n_near, fastest in lines:
            keys = [(round_id, None, True), (round_id, org_id, False)]
            keys += [(round_id, unit, True) for unit in chains.get(org_id, [org_id])]
            if round_id in weekly:
                keys += [(None, key[1], key[2]) for key in keys]
            for key in keys:
                add(key, n, n_full, n_near, fastest)
            seen.update(keys)
            if n_full:
                seen_full.update(keys)
            if n_near:
                seen_near.update(keys)
        for key in seen:
            acc[key].participants += 1
        for key in seen_full:
            acc[key].full_people += 1
        for key in seen_near:
            acc[key].near_people += 1
    acc.setdefault((None, None, True), _Acc())
    for round_id in rounds:
        acc.setdefault((round_id, None, True), _Acc())
    extra = {round_id: {"distribution": {}, "open_attempts": 0} for round_id in rounds}
    if rounds:
        for round_id, status, score, n in (
            Attempt.objects.filter(round_id__in=rounds).values_list("round_id", "status", "score").annotate(n=Count("id"))
        ):
            if status == AttemptStatus.OPEN:
                extra[round_id]["open_attempts"] += n
            else:
                counts = extra[round_id]["distribution"]
                counts[str(score)] = counts.get(str(score), 0) + n
    if weekly:
        tz = timezone.get_current_timezone()
        for round_id, day, hour, n in (
            Attempt.objects.finished()
            .filter(round_id__in=weekly)
            .annotate(day=TruncDate("started_at", tzinfo=tz), hour=ExtractHour("started_at", tzinfo=tz))
            .values_list("round_id", "day", "hour")
            .annotate(n=Count("id"))
            .order_by()
        ):
            timeline = extra[round_id].setdefault("timeline", {"days": {}, "hours": {}})
            timeline["days"][day.isoformat()] = timeline["days"].get(day.isoformat(), 0) + n
            timeline["hours"][str(hour)] = timeline["hours"].get(str(hour), 0) + n
    if questions and rounds:
        for round_id in rounds:
            extra[round_id]["questions"], extra[round_id]["questions_at"] = {}, now
        for round_id, question_id, drawn, right in (
            AttemptQuestion.objects.filter(attempt__round_id__in=rounds)
            .exclude(attempt__status=AttemptStatus.OPEN)
            .values_list("attempt__round_id", "question_id")
            .annotate(drawn=Count("id"), right=Count("id", filter=Q(is_correct=True)))
            .order_by()
        ):
            extra[round_id]["questions"][str(question_id)] = [drawn, right]
    made = []
    for (round_id, org_id, subtree), row in acc.items():
        values = {name: getattr(row, name) for name in FIGURE_FIELDS}
        if org_id is None and round_id is not None:
            values.update(extra[round_id])
        made.append(
            RoundFigures(
                contest_id=contest.pk, round_id=round_id, organization_id=org_id, subtree=subtree, computed_at=now, **values
            )
        )
    return made


def figures_recompute(*, contest, questions: bool = True) -> int:
    """Replace the contest's figures by a fresh computation, in one transaction (under a lock per
    contest, so two recomputes never interleave). Without `questions`, each question's answers
    are kept from the last count. Returns the number of rows written."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [0x46494753, contest.pk])  # 'FIGS'
        made = figures_compute(contest=contest, questions=questions)
        if not questions:
            kept = {
                round_id: (answers, at)
                for round_id, answers, at in RoundFigures.objects.filter(
                    contest=contest, organization__isnull=True, round__isnull=False
                ).values_list("round_id", "questions", "questions_at")
            }
            for row in made:
                if row.organization_id is None and row.round_id in kept:
                    row.questions, row.questions_at = kept[row.round_id]
        RoundFigures.objects.filter(contest=contest).delete()
        RoundFigures.objects.bulk_create(made, batch_size=2000)
    return len(made)


def contests_to_refresh(*, now=None) -> list[tuple]:
    """The contests whose figures may have moved since their last count, each with whether its
    questions' answers are due: a contest never counted that has a round, or with a round opened
    that was not yet counted `LIVE_TAIL` after its close, or that had attempts still open when
    last counted. Two queries."""
    from contests.models import Contest

    now = now or timezone.now()
    stored = {
        (c, r): (at, open_attempts, q_at)
        for c, r, at, open_attempts, q_at in RoundFigures.objects.filter(organization__isnull=True).values_list(
            "contest_id", "round_id", "computed_at", "open_attempts", "questions_at"
        )
    }
    due: dict[int, bool] = {}
    rounds = Round.objects.filter(approved_at__isnull=False, opens_at__lte=now).values_list("contest_id", "pk", "closes_at")
    for contest_id, round_id, closes_at in rounds:
        mark = stored.get((contest_id, round_id))
        if mark is None:
            due[contest_id] = True
            continue
        at, open_attempts, q_at = mark
        if at < closes_at + LIVE_TAIL or open_attempts:
            questions = (
                q_at is None
                or q_at < now - timedelta(seconds=QUESTIONS_STALE_SECONDS)
                or (q_at < closes_at <= now)  # closed since: the final count at once
            )
            due[contest_id] = due.get(contest_id, False) or questions
    contests = {c.pk: c for c in Contest.objects.filter(pk__in=due)}
    return [(contests[pk], questions) for pk, questions in due.items() if pk in contests]


def figures_refresh(*, now=None) -> int:
    """The beat's pass: recompute the figures of every contest `contests_to_refresh` names.
    Idempotent. Returns the number of contests recomputed."""
    done = 0
    for contest, questions in contests_to_refresh(now=now):
        figures_recompute(contest=contest, questions=questions)
        done += 1
    return done


_FRESH = contextvars.ContextVar("figures_fresh", default=None)  # inside figures_fresh: its counts by contest


@contextmanager
def figures_fresh():
    """Inside: every read computes the figures from the attempts instead of reading the kept rows
    (verify_results checks the pages' roll-ups against its own recount this way, live rounds
    included, and the kept rows apart with `figures_differences`)."""
    token = _FRESH.set({})
    try:
        yield
    finally:
        _FRESH.reset(token)


@dataclass
class Figures:
    """A contest's figures as read: rows by (round id, unit id, subtree), and when they were counted."""

    rows: dict[tuple, RoundFigures]
    computed_at: object  # datetime; None when computed for this read (no stored rows yet)

    def get(self, round_id, organization_id=None, *, subtree: bool = True) -> RoundFigures:
        """The row, or an empty one (no attempt there)."""
        subtree = True if organization_id is None else subtree
        found = self.rows.get((round_id, organization_id, subtree))
        return found if found is not None else RoundFigures(round_id=round_id, organization_id=organization_id, subtree=subtree)


def figures_read(*, contest, round_ids=None, organization_ids=None, questions: bool = False) -> Figures:
    """The stored figures of the contest: the everyone rows, and the rows of the given units
    (all when None); of the given rounds (None: all; the contest's row is always read). One
    query; when the contest was never counted, its figures computed for this read instead."""
    counted = _FRESH.get()
    if counted is not None:  # inside figures_fresh: counted once per contest for the whole check
        if (contest.pk, questions) not in counted:
            made = figures_compute(contest=contest, questions=questions)
            counted[contest.pk, questions] = {(r.round_id, r.organization_id, r.subtree): r for r in made}
        return Figures(rows=counted[contest.pk, questions], computed_at=None)
    if not settings.FIGURES_KEPT:
        made = figures_compute(contest=contest, questions=questions)
        return Figures(rows={(r.round_id, r.organization_id, r.subtree): r for r in made}, computed_at=None)
    qs = RoundFigures.objects.filter(contest=contest)
    if not questions:
        qs = qs.defer("questions")
    if organization_ids is not None:
        qs = qs.filter(Q(organization__isnull=True) | Q(organization_id__in=list(organization_ids)))
    if round_ids is not None:
        qs = qs.filter(Q(round__isnull=True) | Q(round_id__in=list(round_ids)))
    rows = {(r.round_id, r.organization_id, r.subtree): r for r in qs}
    whole = rows.get((None, None, True))
    if whole is not None:
        return Figures(rows=rows, computed_at=whole.computed_at)
    made = figures_compute(contest=contest, questions=questions)
    return Figures(rows={(r.round_id, r.organization_id, r.subtree): r for r in made}, computed_at=None)


def figures_differences(*, contest) -> list["Difference"]:
    """What the stored figures say that the attempts do not (verify_results): each differing
    figure of each row, rows missing or left over. Empty when they agree (or none are stored).
    A round still live (not yet counted `LIVE_TAIL` after its close, or with attempts left open)
    is skipped, and the contest's rows with it: its figures may lag by the staleness bound."""
    stored = {(r.round_id, r.organization_id, r.subtree): r for r in RoundFigures.objects.filter(contest=contest)}
    if not stored:
        return []
    now = timezone.now()
    windows = {pk: (opens, closes) for pk, opens, closes in Round.objects.filter(contest=contest).values_list(
        "pk", "opens_at", "closes_at")}  # fmt: skip
    live = {
        key[0]
        for key, row in stored.items()
        if key[0] is not None and key[1] is None and key[0] in windows and windows[key[0]][0] <= now
        and (row.computed_at < windows[key[0]][1] + LIVE_TAIL or row.open_attempts)
    }  # fmt: skip
    # A round opened since the last count has no row yet: live too.
    live |= {pk for pk, (opens, _closes) in windows.items() if opens <= now and (pk, None, True) not in stored}
    if live:
        live.add(None)
    fresh = {(r.round_id, r.organization_id, r.subtree): r for r in figures_compute(contest=contest)}
    problems = []
    keys = [k for k in set(stored) | set(fresh) if k[0] not in live]
    for key in sorted(keys, key=lambda k: tuple(-1 if v is None else int(v) for v in k)):
        a, b = stored.get(key), fresh.get(key)
        if a is None or b is None:
            problems.append(Difference(*key, name="", stored=a is not None, fresh=b is not None))
            continue
        names = list(FIGURE_FIELDS)
        if key[1] is None and key[0] is not None:
            names += ["distribution", "timeline"]
            if a.questions_at is not None:
                names.append("questions")
        for name in names:
            if getattr(a, name) != getattr(b, name):
                problems.append(Difference(*key, name=name, stored=getattr(a, name), fresh=getattr(b, name)))
    return problems


@dataclass(frozen=True)
class Difference:
    """A stored figure the attempts do not give (`name` empty: the row is missing or left over;
    then `stored` and `fresh` say which side has it)."""

    round_id: int | None
    organization_id: int | None
    subtree: bool
    name: str
    stored: object
    fresh: object
