"""Appeals (khiếu nại) against a published result: the one home of their rules.

    the contestant's result of a published weekly round ─┐
    an author's essay in a judging round published ──────┤
    an author's essay refused at screening ──────────────┴─ appeal_target ─► appeal_problem (the window,
        one open appeal per person and result, an archived contest) ─► appeal_submit (reason,
        attachments checked by opening them, private storage) ─► the office's list and page
        ─► appeal_decide (upheld / rejected, a reason; decision_record; the appellant told
        through the outbox) ─► an upheld appeal changes a prize only through the amendment path
        (contests.prizes.prize_amend, on the winners pages of awards)

An essay's authors may each appeal its result: the submitter, and a co-author whose verified
sign-in number is the phone listed for them (`essays.rules.is_coauthor`); each person has at most
one open appeal about it.

A refusal at screening (vòng sơ loại) is a result too: the authors were told it with its reasons,
and the essay goes no further. Its window runs from the verdict (`Essay.screened_at`); an upheld
appeal is answered by screening the essay again (`essays.services.essay_screen`, which the
appeal's page links to), never here.

The window: from the publication of the result for `Contest.appeal_days` days (0: none).
A quiz round's publication is `Round.results_published_at`; a judging round's is its «Công bố
kết quả» in the decision log (essays.judging.prizes_publish records it there, once)."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Min, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from contests import notifications
from contests.decisions import decision_record
from contests.models import Decision
from contests.rules import contest_is_writable, read_only_message
from essays.enums import Eligibility, EssayStatus
from essays.files import check_upload
from essays.models import Essay, JudgingRound
from essays.rules import coauthor_filter, is_author, is_coauthor
from quiz.models import Round, RoundEntry

from .models import Appeal, AppealFile

Part = Appeal.Part
Status = Appeal.Status

REASON_MIN = 20
REASON_MAX = 2000
DECISION_REASON_MAX = 2000
MAX_FILES = 3
MAX_FILE_BYTES = 5 * 1024 * 1024
FILE_KINDS = ("pdf", "jpeg", "png")


class AppealError(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Target:
    """A result someone may appeal against: a contestant's standing in a published weekly round,
    or an essay of theirs in a judging round whose results were published."""

    part: str
    contest: object
    published_at: datetime.datetime | None
    round: Round | None = None
    essay: Essay | None = None
    judging_round: JudgingRound | None = None

    @property
    def label(self) -> str:
        if self.part == Part.QUIZ:
            return self.round.name
        stage = self.judging_round.name if self.judging_round is not None else _("Sơ loại")
        return f"{self.essay.code} «{self.essay.title}» – {stage}"

    @property
    def key(self) -> tuple[str, int]:
        return (self.part, self.round.pk if self.part == Part.QUIZ else self.essay.pk)

    def filters(self) -> dict:
        return {"round": self.round} if self.part == Part.QUIZ else {"essay": self.essay}


# --- What may be appealed, and when ----------------------------------------------------------------


def essay_published_rounds(essay_ids) -> dict[int, tuple[JudgingRound, datetime.datetime]]:
    """Each essay's published judging round (the latest by order) and when it was published:
    two queries whatever the number of essays."""
    entries = list(
        JudgingRound.objects.filter(entries__essay_id__in=list(essay_ids))
        .select_related("phase__contest")
        .annotate(essay_id=F("entries__essay_id"))
        .order_by("order")
    )
    published = dict(
        Decision.objects.filter(
            action=Decision.Action.PUBLISH, object_type=JudgingRound._meta.label_lower,
            object_id__in={r.pk for r in entries},
        )
        .values_list("object_id")
        .annotate(at=Min("at"))
    )  # fmt: skip
    out = {}
    for judging_round in entries:
        if judging_round.pk in published:
            out[judging_round.essay_id] = (judging_round, published[judging_round.pk])
    return out


def quiz_target(*, user, round: Round) -> Target | None:
    """The contestant's result of a weekly round (their entry), or None: no result to appeal."""
    if round.is_practice or not user.is_authenticated:
        return None
    if not RoundEntry.objects.filter(round=round, user=user).exists():
        return None
    return Target(Part.QUIZ, round.contest, round.results_published_at, round=round)


def may_appeal_essay(user, essay: Essay) -> bool:
    """Who may appeal an essay's result: its submitter or a co-author (`essays.rules`)."""
    return bool(user.is_authenticated and (is_author(user, essay) or is_coauthor(user, essay)))


def essay_target(*, user, essay: Essay) -> Target | None:
    """An essay of the person's (submitted, or co-authored: `may_appeal_essay`) in a judging round
    whose results were published, or None."""
    if not may_appeal_essay(user, essay):
        return None
    found = essay_published_rounds([essay.pk]).get(essay.pk)
    if found is None:
        return None
    judging_round, at = found
    return Target(Part.ESSAY, essay.phase.contest, at, essay=essay, judging_round=judging_round)


def screening_target(*, user, essay: Essay) -> Target | None:
    """An essay of the person's (`may_appeal_essay`) refused at screening, or None. The window runs
    from the verdict, when its authors were told."""
    if not may_appeal_essay(user, essay) or not refused_at_screening(essay):
        return None
    return Target(Part.SCREENING, essay.phase.contest, essay.screened_at, essay=essay)


def refused_at_screening(essay: Essay) -> bool:
    return essay.status == EssayStatus.SUBMITTED and essay.eligibility == Eligibility.INELIGIBLE and bool(essay.screened_at)


def essay_targets_for_user(*, user, contest) -> list[Target]:
    """Every essay of the contest the person submitted or co-authored, refused at screening or
    with a published judging round: what «Kết quả của tôi» offers to appeal. One query, two more
    when there is one."""
    if not user.is_authenticated:
        return []
    essays = list(
        Essay.objects.filter(phase__contest=contest)
        .filter(Q(submitter=user) | coauthor_filter(user))
        .select_related("phase__contest")
        .distinct()
        .order_by("pk")
    )
    if not essays:
        return []
    published = essay_published_rounds([e.pk for e in essays])
    targets = []
    for essay in essays:
        if refused_at_screening(essay):
            targets.append(Target(Part.SCREENING, essay.phase.contest, essay.screened_at, essay=essay))
        elif essay.pk in published:
            judging_round, at = published[essay.pk]
            targets.append(Target(Part.ESSAY, essay.phase.contest, at, essay=essay, judging_round=judging_round))
    return targets


def target_key(appeal: Appeal) -> tuple[str, int]:
    """The result an appeal is about, as Target.key names it."""
    return (appeal.part, appeal.round_id if appeal.part == Part.QUIZ else appeal.essay_id)


def appeal_window(*, contest, published_at) -> tuple[datetime.datetime, datetime.datetime] | None:
    """(from, until) for appeals against a result published at `published_at`; None while it is
    not published or when the contest takes no appeals."""
    if published_at is None or not contest.appeal_days:
        return None
    return published_at, published_at + datetime.timedelta(days=contest.appeal_days)


def appeal_problem(*, user, target: Target | None, now=None, has_open: bool | None = None) -> str:
    """Why `user` may not file an appeal against `target` now ("" when they may). Asked by the
    pages (to show «Khiếu nại» or not) and by appeal_submit, under its lock. `has_open`: whether
    the person has an open appeal about it, when the caller has read it already (a list page)."""
    if target is None:
        return _("Không có kết quả nào của anh/chị để khiếu nại ở đây.")
    if not contest_is_writable(target.contest):
        return read_only_message()
    window = appeal_window(contest=target.contest, published_at=target.published_at)
    if target.published_at is None:
        return _("Kết quả chưa được công bố; chỉ khiếu nại được sau khi công bố.")
    if window is None:
        return _("Cuộc thi này không nhận khiếu nại kết quả.")
    now = now or timezone.now()
    if now >= window[1]:
        until = timezone.localtime(window[1]).strftime("%H:%M %d/%m/%Y")
        return _("Đã hết thời hạn khiếu nại (đến %(until)s).") % {"until": until}
    if has_open is None:
        has_open = Appeal.objects.filter(appellant=user, status=Status.OPEN, **target.filters()).exists()
    if has_open:
        return _("Anh/chị đã có một khiếu nại đang chờ giải quyết về kết quả này.")
    return ""


def appeal_deadline(target: Target):
    window = appeal_window(contest=target.contest, published_at=target.published_at)
    return window[1] if window else None


# --- Filing ----------------------------------------------------------------------------------------


def attachment_check(upload) -> tuple[str | None, str | None]:
    """(kind, None) for an attachment an appeal accepts (PDF, JPEG, PNG, at most 5 MB, opened as
    what it claims to be: essays.files.check_upload), or (None, a Vietnamese reason)."""
    name = upload.name
    if upload.size > MAX_FILE_BYTES:
        return None, _("Tệp «%(name)s» lớn quá %(mb)d MB.") % {"name": name, "mb": MAX_FILE_BYTES // (1024 * 1024)}
    kind, problem = check_upload(upload)
    if problem:
        return None, problem
    if kind not in FILE_KINDS:
        return None, _("Tệp «%(name)s» không phải PDF, JPEG hoặc PNG.") % {"name": name}
    return kind, None


def reason_problem(reason: str) -> str:
    length = len((reason or "").strip())
    if length < REASON_MIN:
        return _("Xin ghi rõ nội dung khiếu nại (ít nhất %(n)d ký tự).") % {"n": REASON_MIN}
    if length > REASON_MAX:
        return _("Nội dung khiếu nại dài quá %(n)d ký tự.") % {"n": REASON_MAX}
    return ""


@transaction.atomic
def appeal_submit(*, user, target: Target, reason: str, uploads=(), now=None) -> Appeal:
    """File an appeal: the reason and up to MAX_FILES checked attachments, in one transaction.
    The database's unique constraint is behind «one open appeal per person and result»."""
    User.objects.select_for_update().filter(pk=user.pk).first()  # two tabs filing at once wait here
    problem = appeal_problem(user=user, target=target, now=now) or reason_problem(reason)
    if problem:
        raise AppealError(problem)
    uploads = list(uploads)
    if len(uploads) > MAX_FILES:
        raise AppealError(_("Mỗi khiếu nại kèm tối đa %(n)d tệp.") % {"n": MAX_FILES})
    kinds = []
    for upload in uploads:
        kind, problem = attachment_check(upload)
        if problem:
            raise AppealError(problem)
        kinds.append(kind)
    fields = {"round": target.round, "essay": target.essay, "judging_round": target.judging_round}
    try:
        with transaction.atomic():
            appeal = Appeal.objects.create(
                contest=target.contest, part=target.part, appellant=user, reason=reason.strip(),
                **({"filed_at": now} if now else {}), **fields,
            )  # fmt: skip
    except IntegrityError as exc:
        raise AppealError(_("Anh/chị đã có một khiếu nại đang chờ giải quyết về kết quả này.")) from exc
    for number, (upload, kind) in enumerate(zip(uploads, kinds, strict=True), start=1):
        record = AppealFile(appeal=appeal, kind=kind, original_name=upload.name[:255], size=upload.size)
        extension = {"pdf": "pdf", "jpeg": "jpg", "png": "png"}[kind]
        record.file.save(f"KN-{appeal.pk}-{number}.{extension}", upload, save=False)
        record.save()
    return appeal


# --- Deciding ---------------------------------------------------------------------------------------


@transaction.atomic
def appeal_decide(*, appeal: Appeal, by, upheld: bool, reason: str) -> Appeal:
    """Uphold or reject an open appeal with a reason: recorded in the decision log, the appellant
    told through the outbox. A prize changes only through the amendment path, which the appeal's
    page offers once upheld (never here)."""
    appeal = (
        Appeal.objects.select_for_update(of=("self",))
        .select_related("contest", "appellant", "round", "essay", "judging_round")
        .get(pk=appeal.pk)
    )
    if not appeal.is_open:
        raise AppealError(_("Khiếu nại này đã được giải quyết."))
    if not contest_is_writable(appeal.contest):
        raise AppealError(read_only_message())
    reason = (reason or "").strip()
    if not reason:
        raise AppealError(_("Cần ghi lý do cho kết luận."))
    if len(reason) > DECISION_REASON_MAX:
        raise AppealError(_("Lý do dài quá %(n)d ký tự.") % {"n": DECISION_REASON_MAX})
    appeal.status = Status.UPHELD if upheld else Status.REJECTED
    appeal.decided_by = by
    appeal.decided_at = timezone.now()
    appeal.decision_reason = reason
    appeal.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    decision_record(
        action=Decision.Action.APPEAL_DECIDE, obj=appeal, by=by, reason=reason, contest=appeal.contest,
        data={"appeal": result_name(appeal), "verdict": appeal.status},
    )  # fmt: skip
    _outcome_notify(appeal)
    return appeal


def result_name(appeal: Appeal) -> str:
    if appeal.part == Part.QUIZ:
        return appeal.round.name
    if appeal.part == Part.SCREENING:
        return f"{appeal.essay.code} – {_('Sơ loại')}"
    return f"{appeal.essay.code} – {appeal.judging_round.name}"


def appeal_url(appeal: Appeal) -> str:
    return reverse("appeals:mine", args=[appeal.pk])


def _outcome_notify(appeal: Appeal) -> None:
    notifications.notify(
        user=appeal.appellant,
        kind=notifications.Kind.APPEAL,
        key=f"appeal:{appeal.pk}:{appeal.status}",
        context={
            "upheld": appeal.status == Status.UPHELD,
            "result_name": result_name(appeal),
            "filed_at": timezone.localtime(appeal.filed_at),
            "reason": appeal.decision_reason,
            "url": settings.SITE_URL + appeal_url(appeal),
        },
    )


# --- Reads -----------------------------------------------------------------------------------------


@dataclass
class AppealFilter:
    status: str = ""  # "open", "decided" or ""
    part: str = ""
    round: str = ""  # "q<id>" a weekly round, "e<id>" a judging round


def appeals_for_staff(*, contest, filters: AppealFilter):
    """The office's list, newest first, filtered (the indexes: contest, status, round). One query."""
    qs = Appeal.objects.filter(contest=contest).select_related("appellant", "round", "essay", "judging_round")
    if filters.status == "open":
        qs = qs.filter(status=Status.OPEN)
    elif filters.status == "decided":
        qs = qs.exclude(status=Status.OPEN)
    if filters.part in Part.values:
        qs = qs.filter(part=filters.part)
    if filters.round[:1] == "q" and filters.round[1:].isdigit():
        qs = qs.filter(round_id=int(filters.round[1:]))
    elif filters.round[:1] == "e" and filters.round[1:].isdigit():
        qs = qs.filter(judging_round_id=int(filters.round[1:]))
    return qs.order_by("-filed_at", "-id")


def round_choices(*, contest) -> list[tuple[str, str]]:
    """The rounds the list filters by: those with appeals (two queries)."""
    quiz = Round.objects.filter(pk__in=Appeal.objects.filter(contest=contest).values("round_id")).order_by("number")
    essays = JudgingRound.objects.filter(pk__in=Appeal.objects.filter(contest=contest).values("judging_round_id"))
    return [(f"q{r.pk}", r.name) for r in quiz] + [(f"e{r.pk}", r.name) for r in essays.order_by("order")]


def appeals_for_user(*, user, contest=None):
    qs = Appeal.objects.filter(appellant=user).select_related("round", "essay", "judging_round")
    return qs.filter(contest=contest) if contest is not None else qs


@dataclass(frozen=True)
class AppealCounts:
    filed: int
    decided: int


def counts(*, round: Round | None = None, judging_rounds=None) -> AppealCounts:
    """«N khiếu nại đã nhận, M đã giải quyết» of a weekly round or of judging rounds. One query."""
    qs = Appeal.objects.filter(round=round) if round is not None else Appeal.objects.filter(judging_round__in=judging_rounds)
    row = qs.aggregate(filed=Count("id"), decided=Count("id", filter=~Q(status=Status.OPEN)))
    return AppealCounts(row["filed"], row["decided"])
