"""Patterns of harvesting the answer key, for the integrity review (audit.integrity.cases).

A round that shows the score at once lets a script learn the key without ever seeing it: answer
one question per attempt, read the score, eliminate. The pace limits (quiz.limits) make that slow;
these patterns show who tried, with the evidence, for the secretariat to decide:

- probes, then a high score: at least HARVEST_MIN_PROBES short attempts scoring at most a quarter
  before an attempt scoring 90 % or more in the same round;
- many attempts: more than max(MANY_FLOOR, MANY_FACTOR × the round's median attempts per person);
- probing: at least PROBE_MIN_PAIRS consecutive attempts whose answers, on the questions they
  share, are those of the previous attempt except one.

Bounded work: the medians come from the ranking entries' attempt counts (one grouped query), and
only accounts above their round's median (and with enough attempts to show a pattern) have their
attempts and answers read, a chunk of accounts at a time (`EXAMINE_CHUNK`): four queries for a
contest of the seed's size, two more for each further chunk; the chosen options are read by the
database (`quiz.scoring.ChosenOption`), never decoded from JSON row by row."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from quiz.enums import AttemptStatus
from quiz.models import Attempt, AttemptQuestion, RoundEntry
from quiz.scoring import ChosenOption

HARVEST_SHORT_SECONDS = getattr(settings, "INTEGRITY_HARVEST_SHORT_SECONDS", 120)
HARVEST_LOW_SHARE, HARVEST_HIGH_SHARE, HARVEST_MIN_PROBES = 0.25, 0.9, 5
MANY_FLOOR, MANY_FACTOR = 10, 5
PROBE_MIN_PAIRS = 3
# Fewer attempts than this cannot show any of the patterns (three probe pairs need four attempts).
EXAMINE_MIN_ATTEMPTS = min(HARVEST_MIN_PROBES + 1, PROBE_MIN_PAIRS + 1)


@dataclass
class AttemptLine:
    id: int
    started_at: datetime.datetime
    score: int
    question_count: int
    duration_ms: int
    answered: int


@dataclass
class Finding:
    key: str  # stable: the pattern, the round and the account, never a count
    kind: str
    description: str
    user_id: int
    account: str
    round_name: str
    evidence: list[str] = field(default_factory=list)
    attempts: list[AttemptLine] = field(default_factory=list)


def median_from_counts(histogram: dict[int, int]) -> float:
    """The median of a distribution given as {value: how many}."""
    total = sum(histogram.values())
    if total == 0:
        return 0.0
    middle = [(total - 1) // 2, total // 2]
    values, seen = [], 0
    for value in sorted(histogram):
        seen += histogram[value]
        while middle and middle[0] < seen:
            values.append(value)
            middle.pop(0)
    return sum(values) / len(values)


def many_threshold(median: float) -> float:
    return max(MANY_FLOOR, MANY_FACTOR * median)


def differing_answers(before: dict[int, int | None], after: dict[int, int | None]) -> int:
    """On the questions two attempts share, how many chosen options differ (a blank is a choice)."""
    return sum(1 for question in before.keys() & after.keys() if before[question] != after[question])


def _when(moment) -> str:
    local = timezone.localtime(moment)
    return f"{local:%H:%M:%S} {local.day}/{local.month}"


def _seconds(ms: int) -> str:
    return f"{ms / 1000:.0f}"


# The examined accounts are read a chunk at a time: at a national size their answers are millions
# of rows, never all held at once.
EXAMINE_CHUNK = 2000


def _attempts_and_answers(*, rounds: list[int], users: list[int], examined: dict):
    """For each chunk of `users`: (round, user) → their finished attempts in order, and each
    attempt's chosen option by question (None when blank). Two queries a chunk."""
    for start in range(0, len(users), EXAMINE_CHUNK):
        chunk = users[start : start + EXAMINE_CHUNK]
        attempts: dict[tuple[int, int], list[dict]] = defaultdict(list)
        for row in (
            Attempt.objects.finished()
            .filter(round_id__in=rounds, user_id__in=chunk)
            .values("id", "round_id", "user_id", "started_at", "duration_ms", "score", "question_count")
            .order_by("started_at", "id")
        ):
            if (row["round_id"], row["user_id"]) in examined:
                attempts[(row["round_id"], row["user_id"])].append(row)
        chosen: dict[int, dict[int, int | None]] = defaultdict(dict)
        for attempt_id, question_id, option in (
            AttemptQuestion.objects.filter(attempt__round_id__in=rounds, attempt__user_id__in=chunk)
            .exclude(attempt__status=AttemptStatus.OPEN)
            .values_list("attempt_id", "question_id", ChosenOption())
            .iterator(chunk_size=20_000)
        ):
            chosen[attempt_id][question_id] = option
        yield attempts, chosen


def findings(*, contest) -> list[Finding]:
    histogram: dict[int, dict[int, int]] = defaultdict(dict)
    for row in RoundEntry.objects.filter(round__contest=contest).values("round_id", "attempts_count").annotate(c=Count("id")):
        histogram[row["round_id"]][row["attempts_count"]] = row["c"]
    medians = {round_id: median_from_counts(counts) for round_id, counts in histogram.items()}
    above = [
        Q(round_id=round_id, attempts_count__gt=median, attempts_count__gte=EXAMINE_MIN_ATTEMPTS)
        for round_id, median in medians.items()
        if max(histogram[round_id]) > median and max(histogram[round_id]) >= EXAMINE_MIN_ATTEMPTS
    ]
    if not above:
        return []
    entries = list(
        RoundEntry.objects.filter(reduce(or_, above)).values(
            "round_id", "user_id", "attempts_count", "user__full_name", "user__email", "round__name", "round__number"
        )
    )
    examined = {(e["round_id"], e["user_id"]): e for e in entries}
    users = sorted({e["user_id"] for e in entries})
    rounds = sorted({e["round_id"] for e in entries})
    found = []
    for attempts, chosen in _attempts_and_answers(rounds=rounds, users=users, examined=examined):
        for (round_id, user_id), rows in attempts.items():
            entry = examined[(round_id, user_id)]
            account = f"{entry['user__full_name']} ({entry['user__email']})"
            lines = [
                AttemptLine(
                    row["id"], row["started_at"], row["score"], row["question_count"], row["duration_ms"],
                    sum(1 for c in chosen.get(row["id"], {}).values() if c is not None),
                )
                for row in rows
            ]  # fmt: skip

            def finding(kind, description, evidence, entry=entry, account=account, lines=lines):
                return Finding(
                    key=f"{kind}:{entry['round_id']}:{entry['user_id']}", kind=kind, description=description,
                    user_id=entry["user_id"], account=account, round_name=entry["round__name"], evidence=evidence,
                    attempts=lines,
                )  # fmt: skip

            values = {"name": account, "round": entry["round__name"]}
            # Probes, then a high score.
            probes = []
            for line in lines:
                if line.score >= HARVEST_HIGH_SHARE * line.question_count and len(probes) >= HARVEST_MIN_PROBES:
                    text = _("%(name)s – %(round)s: %(n)d bài ngắn điểm thấp rồi một bài %(s)d/%(q)d")
                    evidence = [
                        _("%(n)d bài dưới %(sec)d giây, mỗi bài không quá %(low)d%% số điểm (bài #%(first)d … #%(last)d).")
                        % {
                            "n": len(probes),
                            "sec": HARVEST_SHORT_SECONDS,
                            "low": round(HARVEST_LOW_SHARE * 100),
                            "first": probes[0].id,
                            "last": probes[-1].id,
                        },
                        _("Sau đó bài #%(id)d lúc %(at)s: %(s)d/%(q)d điểm trong %(sec)s giây.")
                        % {
                            "id": line.id,
                            "at": _when(line.started_at),
                            "s": line.score,
                            "q": line.question_count,
                            "sec": _seconds(line.duration_ms),
                        },
                    ]
                    values_high = values | {"n": len(probes), "s": line.score, "q": line.question_count}
                    found.append(finding("harvest", text % values_high, evidence))
                    break
                if line.duration_ms < HARVEST_SHORT_SECONDS * 1000 and line.score <= HARVEST_LOW_SHARE * line.question_count:
                    probes.append(line)
            # Far more attempts than the round's median.
            median = medians[round_id]
            if entry["attempts_count"] > many_threshold(median):
                text = _("%(name)s – %(round)s: %(n)d bài, gấp nhiều lần trung vị của tuần (%(m)s bài mỗi người)")
                shown = f"{median:g}".replace(".", ",")
                evidence = [
                    _("%(n)d bài trong tuần; trung vị %(m)s bài mỗi người; ngưỡng %(t)s.")
                    % {"n": entry["attempts_count"], "m": shown, "t": f"{many_threshold(median):g}".replace(".", ",")},
                    _("Bài đầu lúc %(first)s, bài cuối lúc %(last)s.") % {"first": _when(lines[0].started_at),
                                                                          "last": _when(lines[-1].started_at)},
                ]  # fmt: skip
                found.append(finding("many", text % (values | {"n": entry["attempts_count"], "m": shown}), evidence))
            # Consecutive attempts that differ in one answer.
            pairs = [
                (a, b) for a, b in zip(lines, lines[1:]) if differing_answers(chosen.get(a.id, {}), chosen.get(b.id, {})) == 1
            ]
            if len(pairs) >= PROBE_MIN_PAIRS:
                text = _("%(name)s – %(round)s: %(n)d lần làm lại chỉ đổi một câu trả lời so với bài trước")
                answered = sorted(line.answered for line in lines)
                evidence = [
                    _("%(n)d trong %(all)d cặp bài liên tiếp giống nhau ở mọi câu chung, trừ một câu.")
                    % {"n": len(pairs), "all": len(lines) - 1},
                    _("Số câu trả lời mỗi bài: trung vị %(a)d trên %(q)d câu; điểm cao nhất %(best)d.")
                    % {"a": answered[len(answered) // 2], "q": lines[0].question_count, "best": max(x.score for x in lines)},
                    _("Các cặp: %(pairs)s.") % {"pairs": ", ".join(f"#{a.id}→#{b.id}" for a, b in pairs[:20])},
                ]
                found.append(finding("probe", text % (values | {"n": len(pairs)}), evidence))

    number = {round_id: e["round__number"] for (round_id, _u), e in examined.items()}
    found.sort(key=lambda f: (number[int(f.key.split(":")[1])], f.kind, f.account))
    return found
