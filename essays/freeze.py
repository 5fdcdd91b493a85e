"""What the jury scored cannot move silently. Two rules, each written once and asked by the
services, the admin and the model backstop (essays.signals) alike:

- an essay's content (what the secretariat screened and the jury reads) freezes at screening,
  eligible or not: `essay_is_frozen`, `ESSAY_FROZEN_FIELDS`, its authors and attachments;
- a judging round's rubric (the criteria and what makes a mean: maximum points, weights) freezes
  at the first submitted score sheet (or when the round closes): `rubric_is_frozen`, `CRITERION_FROZEN_FIELDS`. After that
  it changes only through `essays.judging.rubric_amend`, which records the decision.

On PostgreSQL a trigger (migration essays 0008) refuses the rubric change too, whatever path the
write takes, unless `rubric_amend` opened the way for its own transaction."""

from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connection
from django.utils.translation import gettext as _

from .enums import Eligibility, JudgingStatus, SheetStatus
from .services import EssayError

# What the screening judged and the jury reads; the rest (publication, press recommendation,
# the screening itself) is changed by its own services.
ESSAY_FROZEN_FIELDS = (
    "phase",
    "submitter",
    "title",
    "subject_kind",
    "subject_name",
    "subject_organization",
    "body",
    "declares_real",
    "declares_unpublished",
)
# What a mean is made of. `order` only sorts the sheet, so it may still move.
CRITERION_FROZEN_FIELDS = ("round", "name", "max_points", "weight")
# The session flag rubric_amend sets (SET LOCAL: for its transaction only) to pass the trigger.
RUBRIC_AMEND_FLAG = "essays.rubric_amend"
_amending: ContextVar[bool] = ContextVar("essays_rubric_amend", default=False)


class FrozenError(EssayError):
    """A write refused because what it would change is frozen (the message says why)."""


def essay_is_frozen(essay) -> bool:
    """Screened (eligible or not): the content is what was screened and is judged."""
    return essay.eligibility != Eligibility.PENDING


def essay_frozen_message() -> str:
    return _(
        "Bài viết đã qua sơ loại: tên bài, nội dung, tác giả và tệp đính kèm được giữ nguyên như khi sơ loại, không thể sửa."
    )


def guard_essay_unfrozen(essay) -> None:
    if essay_is_frozen(essay):
        raise FrozenError(essay_frozen_message())


def guard_essay_id_unfrozen(essay_id) -> None:
    """For the rows hanging off an essay (authors, attachments): one query."""
    from .models import Essay

    if essay_id and Essay.objects.filter(pk=essay_id).exclude(eligibility=Eligibility.PENDING).exists():
        raise FrozenError(essay_frozen_message())


def rubric_is_frozen(round_id) -> bool:
    """A round whose rubric has been scored by at least one submitted sheet, or that is closed
    (reopening every sheet does not unfreeze a closed round). One query."""
    from django.db.models import Q

    from .models import JudgingRound

    return (
        bool(round_id)
        and JudgingRound.objects.filter(pk=round_id)
        .filter(Q(status=JudgingStatus.CLOSED) | Q(assignments__status=SheetStatus.SUBMITTED))
        .exists()
    )


def rubric_frozen_message() -> str:
    return _(
        "Vòng chấm đã có phiếu chấm được nộp hoặc đã kết thúc: tiêu chí, điểm tối đa và trọng số được giữ nguyên. "
        "Muốn sửa, Ban Tổ chức dùng chức năng «Sửa tiêu chí chấm (có ghi lý do)»."
    )


def guard_rubric_unfrozen(round_id) -> None:
    if rubric_is_frozen(round_id) and not rubric_amend_in_progress():
        raise FrozenError(rubric_frozen_message())


def rubric_amend_in_progress() -> bool:
    """True inside rubric_amend (the only write allowed past the freeze)."""
    return _amending.get()


@contextmanager
def rubric_amend_opened():
    """Used by rubric_amend inside its transaction: lets the model backstop and, on PostgreSQL,
    the trigger (SET LOCAL: this transaction only) through."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, 'on', true)", [RUBRIC_AMEND_FLAG])
    token = _amending.set(True)
    try:
        yield
    finally:
        _amending.reset(token)
    # On an error the transaction rolls back and the local setting with it.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, 'off', true)", [RUBRIC_AMEND_FLAG])
