"""Whether a contest may still change. One predicate, asked by every write path: the services of
both parts (starting an attempt, saving an essay, a judge's sheet), the decision log (every
decision that changes a result goes through `contests.decisions.decision_record`), and the admin
(`contests.admin.ContestWritableMixin`)."""

from django.utils.translation import gettext as _

from .enums import ContestStatus


class ContestReadOnly(Exception):
    """A write refused because the contest is archived. `contests.middleware` turns it into a
    message and a redirect when a view lets it through."""

    def __init__(self, message=None):
        self.message = str(message or read_only_message())
        super().__init__(self.message)


def contest_is_writable(contest) -> bool:
    """An archived contest is read-only: its results stay as published, nothing starts, nothing
    is submitted, judged or decided. Drafts and published contests may change."""
    return contest is None or contest.status != ContestStatus.ARCHIVED


def read_only_message() -> str:
    return _("Cuộc thi này đã kết thúc và được lưu trữ: kết quả được giữ nguyên, không thể thay đổi.")


def guard_contest_writable(contest, *, error: type[Exception] = ContestReadOnly) -> None:
    """Raise `error` (each part passes its own, so its views show the message) when the contest
    is archived."""
    if not contest_is_writable(contest):
        raise error(read_only_message())


def guard_contest_unarchive(contest) -> None:
    """Archiving is final: a stored archived contest keeps that status, whatever path the write
    takes (the admin shows it read-only; contests.signals refuses the save). Reopening would
    reopen results that were published and data the retention period is counting down on; a
    correction after the results is «Sửa kết quả đã công bố», made before archiving."""
    from .models import Contest

    stored = Contest.objects.filter(pk=contest.pk).values_list("status", flat=True).first()
    if stored == ContestStatus.ARCHIVED and contest.status != ContestStatus.ARCHIVED:
        raise ContestReadOnly(_("Cuộc thi đã được lưu trữ; không thể chuyển về trạng thái khác."))
