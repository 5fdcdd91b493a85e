"""What an answer is worth, and how long an attempt took: the one home of the scoring rule,
used by the submit and the time-out (`quiz.services.attempts._finish`) and by `verify_results`
(`audit.verification.quiz`), which recomputes every score from the stored answers and the
sealed key file.
"""


def answer_counts(*, chosen_index: int | None, answered_at, deadline) -> bool:
    """An answer counts when an option was chosen and saved by the attempt's deadline; what
    arrives later is kept but never scored."""
    return chosen_index is not None and answered_at is not None and answered_at <= deadline


def duration_ms(*, started_at, finished_at) -> int:
    """Time taken, to the end of the attempt (the submit, or the deadline at the latest), in
    whole milliseconds."""
    return max(0, int((finished_at - started_at).total_seconds() * 1000))


# The key of an annulled question (an erratum, quiz.errata): every attempt that drew it counts it
# right, answered or not, so a score stays out of the attempt's own number of questions
# (docs/decisions.md «An annulled question counts as right»).
ANNULLED = "*"


def answer_right(*, key: str | None, letter: str | None, counts: bool) -> bool:
    """Whether one drawn question is right. `key`: the question's right option letters after
    the seal and its errata ("B"; "AB" when an erratum accepts two answers), or ANNULLED;
    `letter`: the option chosen; `counts`: it was chosen and saved in time (answer_counts)."""
    if key == ANNULLED:
        return True
    return bool(counts and key and letter and len(letter) == 1 and letter in key)
