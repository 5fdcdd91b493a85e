"""Every field of a `Round`, classified once: what the seal freezes, what the sealed key file
says, what «Sao chép cuộc thi» copies. The frozen set and the key file's list are read from
here; `tests/quiz/test_round_fields.py` fails while a field of the model is not classified, and
checks that the seal and the frozen set follow the classification.

A field in no kind says why (`why`); a field in some kinds may say why too."""

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    # Frozen by the seal: a sealed round shows it read-only in the admin and the Round signal
    # refuses a change from any path (quiz.signals).
    FROZEN = "frozen"
    # Written in the sealed key file (quiz.seal.seal_content; docs/seal.md).
    KEY_FILE = "key_file"
    # Copied as it is by «Sao chép cuộc thi».
    COPIED = "copied"
    # Copied by «Sao chép cuộc thi», moved by the offset of the new contest's start.
    SHIFTED = "shifted"


FROZEN, KEY_FILE, COPIED, SHIFTED = Kind.FROZEN, Kind.KEY_FILE, Kind.COPIED, Kind.SHIFTED


@dataclass(frozen=True)
class Rule:
    kinds: frozenset[Kind]
    why: str = ""
    # Where the key file writes the field: its path in the file's JSON (None: not in the file).
    key: tuple[str, ...] | None = None


def _rule(*kinds: Kind, why: str = "", key: tuple[str, ...] | None = None) -> Rule:
    if KEY_FILE in kinds and key is None:
        raise ValueError("a field written in the key file needs its path there")
    if not kinds and not why:
        raise ValueError("a field in no kind says why")
    return Rule(frozenset(kinds), why, key if KEY_FILE in kinds else None)


def _in_key(name: str, *kinds: Kind, why: str = "") -> Rule:
    """A field the key file writes under its own name in its "round" object."""
    return _rule(KEY_FILE, *kinds, why=why, key=("round", name))


# In the model's order (the frozen set keeps it: the admin lists what sealing freezes in it).
ROUND_FIELDS: dict[str, Rule] = {
    "id": _rule(why="the row's own key"),
    "contest": _rule(
        FROZEN,
        KEY_FILE,
        key=("contest",),
        why="the key file writes the contest's slug beside the round; a copy belongs to the new contest",
    ),
    "kind": _in_key("kind", FROZEN, COPIED),
    "number": _in_key("number", FROZEN, COPIED),
    "name": _in_key(
        "name",
        FROZEN,
        COPIED,
        why=(
            "the key file names the round, so the seal freezes the name: a published key file never names another "
            "round than the page shows. Rounds renamed before the name was frozen still verify: quiz.seal.seal_verify "
            "does not compare the name"
        ),
    ),
    "opens_at": _rule(FROZEN, SHIFTED, why="the seal stores the window beside the key file (RoundSeal)"),
    "closes_at": _rule(
        SHIFTED,
        why=(
            "after the seal it moves only with a recorded reason: later (quiz.services.rounds.round_extend_window) "
            "or early, never into the past (quiz.services.rounds.round_close_early)"
        ),
    ),
    "questions_per_attempt": _in_key("questions_per_attempt", FROZEN, COPIED),
    "time_limit_seconds": _in_key("time_limit_seconds", FROZEN, COPIED),
    "max_attempts": _in_key("max_attempts", FROZEN, COPIED),
    # Files of rounds sealed before the pace limits existed leave both out (quiz.seal.PACE_KEYS).
    "attempts_per_day": _in_key("attempts_per_day", FROZEN, COPIED),
    "min_start_interval_minutes": _in_key("min_start_interval_minutes", FROZEN, COPIED),
    "review_policy": _in_key("review_policy", FROZEN, COPIED),
    "ranking_rule": _in_key("ranking_rule", FROZEN, COPIED),
    "tiebreaker_enabled": _in_key("tiebreaker_enabled", FROZEN, COPIED),
    "prizes_first": _rule(FROZEN, KEY_FILE, COPIED, key=("round", "prizes", "first")),
    "prizes_second": _rule(FROZEN, KEY_FILE, COPIED, key=("round", "prizes", "second")),
    "prizes_third": _rule(FROZEN, KEY_FILE, COPIED, key=("round", "prizes", "third")),
    "prizes_consolation": _rule(FROZEN, KEY_FILE, COPIED, key=("round", "prizes", "consolation")),
    # Written only when not 0 (quiz.seal.KEY_DEFAULTS): key files sealed before the minimum existed
    # read as «no minimum» and stay byte for byte what they were.
    "prize_min_score": _rule(FROZEN, KEY_FILE, COPIED, key=("round", "prizes", "min_score")),
    "approved_at": _rule(why="the seal itself: written once by round_approve, kept by the Round signal; not copied"),
    "opening_announced_at": _rule(why="when the opening went out (once per round); not copied"),
    "approved_by": _rule(why="the seal itself: written once by round_approve, kept by the Round signal; not copied"),
    "results_published_at": _rule(why="the old round's publication; not copied"),
    "results_published_by": _rule(why="the old round's publication; not copied"),
    "full_score_actual": _rule(why="frozen count of the old round's full scores, set when prizes are drafted; not copied"),
    "created_at": _rule(why="the row's own time"),
}


def fields_of(kind: Kind) -> tuple[str, ...]:
    """The fields of a kind, in the model's order."""
    return tuple(name for name, rule in ROUND_FIELDS.items() if kind in rule.kinds)


# What sealing freezes besides the pool, the blueprint and the answer keys: everything that decides
# how contestants of the round play and are ranked. The admin shows these read-only on a sealed
# round and the Round signal refuses a change from any other path. `closes_at` moves only through
# round_extend_window (later) and round_close_early (earlier, not into the past).
ROUND_FROZEN_FIELDS = fields_of(FROZEN)

# Where the key file writes each of its fields (quiz.seal.seal_content builds the file from it).
KEY_FILE_PATHS = {name: rule.key for name, rule in ROUND_FIELDS.items() if KEY_FILE in rule.kinds}
