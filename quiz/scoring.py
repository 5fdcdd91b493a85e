"""What an answer is worth, and how long an attempt took: the one home of the scoring rule,
used by the submit and the time-out (`quiz.services.attempts._finish`) and by `verify_results`
(`audit.verification.quiz`), which recomputes every score from the stored answers and the
sealed key file.
"""

from django.db.models import F, Func, IntegerField


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


class ChosenOption(Func):
    """The id of the option an answer chose (`option_ids[chosen_index]` of an AttemptQuestion),
    NULL when blank, read by the database: a round's million answers are never decoded from JSON
    one by one in Python to learn which option each chose."""

    output_field = IntegerField()

    def __init__(self, option_ids: str = "option_ids", chosen_index: str = "chosen_index"):
        super().__init__(F(option_ids), F(chosen_index))

    def _parts(self, compiler):
        ids, ids_params = compiler.compile(self.source_expressions[0])
        index, index_params = compiler.compile(self.source_expressions[1])
        return ids, index, (*ids_params, *index_params)

    def as_sql(self, compiler, connection, **extra):  # SQLite (json_extract), the development database
        ids, index, params = self._parts(compiler)
        return f"json_extract({ids}, '$[' || {index} || ']')", params

    def as_postgresql(self, compiler, connection, **extra):
        ids, index, params = self._parts(compiler)
        return f"(({ids}) ->> ({index})::integer)::integer", params
