"""A sealed round's pool, kept in memory per process.

Sealing freezes the pool, the blueprint, the questions' texts and their options (services
guard every path to them, and the seal file fingerprints them), so what a start draws from and
what the attempt page shows can be read from the bank once per process and round, and never
again. A start is then a couple of INSERTs, and the attempt page reads only the attempt's own
rows.

The key is the round's id and the moment it was sealed (`approved_at`, set once in the same
transaction that writes the seal file): both are on the round row every caller has already
loaded, so a hit costs no query. A round cannot be unsealed while it has attempts, and a round
that is not sealed is never cached (no attempt can start in it): its pool is read each time.

The correct flags are held too, server-side only: `quiz.selectors.attempt_items` hands them to
a template only for a finished attempt whose review is allowed.
"""

import threading
from collections import OrderedDict, defaultdict
from dataclasses import dataclass

from .models import Option, Question, Round, RoundQuestion

# Rounds held per process: the open weeks, the practice set and the round just closed are a
# handful; 16 pools of 500 questions are a few megabytes.
MAX_ROUNDS = 16


@dataclass(frozen=True, slots=True)
class PoolOption:
    text: str
    is_correct: bool
    letter: str = ""  # A, B, C … (the receipt names the chosen option by its letter)


@dataclass(frozen=True, slots=True)
class PoolQuestion:
    id: int
    field_id: int
    text: str
    source: str
    field_name: str
    option_ids: tuple[int, ...]  # in letter order (A, B, C …)
    image: tuple[str, int, int, str] | None = None  # sha256, width, height, alt text (quiz.images)
    code: str = ""  # the question's code (mã câu), as the key file and the receipt name it


@dataclass(frozen=True, slots=True)
class Pool:
    round_id: int
    questions: dict[int, PoolQuestion]
    options: dict[int, PoolOption]
    by_field: dict[int, tuple[int, ...]]  # field id → question ids of the pool
    allocation: dict[int, int]  # field id → questions an attempt draws (the blueprint)


IMAGE_COLUMNS = ("image_sha256", "image_width", "image_height", "image_alt")

_pools: "OrderedDict[tuple, Pool]" = OrderedDict()
_lock = threading.Lock()


def _key(round: Round) -> tuple:
    return (round.pk, round.approved_at)


def sealed_pool(*, round: Round) -> Pool:
    """The round's pool: from memory when the round is sealed and was read before, from the
    database (three queries: pool with questions, options, blueprint) otherwise."""
    if round.approved_at is None:
        return _load(round=round)
    key = _key(round)
    with _lock:
        pool = _pools.get(key)
        if pool is not None:
            _pools.move_to_end(key)
            return pool
    pool = _load(round=round)  # outside the lock: two threads missing at once both read, harmlessly
    with _lock:
        _pools[key] = pool
        _pools.move_to_end(key)
        while len(_pools) > MAX_ROUNDS:
            _pools.popitem(last=False)
    return pool


def clear() -> None:
    """Forget every pool (tests; a process never needs it)."""
    with _lock:
        _pools.clear()


def questions_by_id(question_ids) -> tuple[dict[int, PoolQuestion], dict[int, PoolOption]]:
    """Questions and their options straight from the bank, in the pool's shapes: for an attempt
    whose questions are not all in its round's pool (an attempt written by an import or a
    simulation)."""
    rows = Question.objects.filter(pk__in=list(question_ids)).values_list(
        "id", "field_id", "text", "source", "field__name", *IMAGE_COLUMNS, "code"
    )
    return _build(rows)


def _load(*, round: Round) -> Pool:
    from .services.pool import round_allocation  # through quiz.selectors, services.pool imports this module

    rows = RoundQuestion.objects.filter(round=round).values_list(
        "question_id", "question__field_id", "question__text", "question__source", "question__field__name",
        *(f"question__{name}" for name in IMAGE_COLUMNS), "question__code",
    ).order_by("question_id")  # fmt: skip
    # In the questions' order, so a seeded draw (the simulation) gives the same attempts every run.
    questions, options = _build(rows)
    by_field: dict[int, list[int]] = defaultdict(list)
    for question in questions.values():
        by_field[question.field_id].append(question.id)
    allocation = round_allocation(round=round, pool_by_field={f: len(ids) for f, ids in by_field.items()})
    return Pool(
        round_id=round.pk,
        questions=questions,
        options=options,
        by_field={f: tuple(ids) for f, ids in by_field.items()},
        allocation=allocation,
    )


def _build(rows) -> tuple[dict[int, PoolQuestion], dict[int, PoolOption]]:
    rows = list(rows)
    option_rows = Option.objects.filter(question_id__in=[r[0] for r in rows]).order_by("question_id", "letter")
    option_ids: dict[int, list[int]] = defaultdict(list)
    options = {}
    for oid, qid, text, is_correct, letter in option_rows.values_list("id", "question_id", "text", "is_correct", "letter"):
        option_ids[qid].append(oid)
        options[oid] = PoolOption(text=text, is_correct=is_correct, letter=letter)
    questions = {
        qid: PoolQuestion(
            id=qid,
            field_id=fid,
            text=text,
            source=source,
            field_name=field_name,
            option_ids=tuple(option_ids[qid]),
            image=(sha, width, height, alt or text) if sha else None,
            code=code,
        )  # fmt: skip
        for qid, fid, text, source, field_name, sha, width, height, alt, code in rows
    }
    return questions, options
