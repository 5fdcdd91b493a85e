"""Writes for judging rounds: assignment with conflicts of interest, score sheets, advancing a
shortlist, prizes and publication. The reads (queues, results with normalization, the preview of
who advances) are in essays.selectors."""

from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from contests import prizes
from contests.cleaning import clean_text
from contests.decisions import Action, decision_record
from contests.rules import guard_contest_writable

from . import rules
from .enums import AssignmentMode, Eligibility, EssayStatus, JudgingStatus, PrizeTier, SheetStatus
from .models import Assignment, Criterion, Essay, EssayAuthor, EssayPrize, JudgingRound, PanelMember, RoundEssay, Score
from .selectors import round_results
from .services import EssayError


@transaction.atomic
def round_fill_from_screening(*, round: JudgingRound) -> int:
    """The first round takes every eligible, submitted essay of its phase."""
    guard_contest_writable(round.phase.contest, error=EssayError)
    essays = Essay.objects.filter(phase=round.phase, status=EssayStatus.SUBMITTED, eligibility=Eligibility.ELIGIBLE)
    existing = set(RoundEssay.objects.filter(round=round).values_list("essay_id", flat=True))
    new = [RoundEssay(round=round, essay=e) for e in essays if e.pk not in existing]
    RoundEssay.objects.bulk_create(new)
    return len(new)


@transaction.atomic
def round_assign(*, round: JudgingRound) -> int:
    """Assign judges to the round's essays: all of them, or N per essay spread evenly (the least
    loaded first). A judge never gets an essay they are in conflict with (`rules.judge_conflicts`:
    their own essay, or one of a unit in the same branch as theirs). Safe to run again; the same
    number of queries whatever the size of the round."""
    panel = list(
        PanelMember.objects.filter(round=round)
        .select_related("organization", "judge__profile__organization")
        .order_by("judge_id")
    )
    if not panel:
        raise EssayError(_("Vòng chấm chưa có giám khảo."))
    guard_contest_writable(round.phase.contest, error=EssayError)
    contexts = {m.judge_id: rules.judge_context(m.judge, panel_unit=m.organization) for m in panel}
    load = Counter(Assignment.objects.filter(round=round).values_list("judge_id", flat=True))
    existing = defaultdict(set)  # every judge ever assigned (a conflicted judge is never asked again)
    active = Counter()  # sheets that still count towards N judges per essay
    for essay_id, judge_id, status in Assignment.objects.filter(round=round).values_list("essay_id", "judge_id", "status"):
        existing[essay_id].add(judge_id)
        active[essay_id] += status != SheetStatus.CONFLICT
    essays = (
        Essay.objects.filter(round_entries__round=round)
        .select_related("subject_organization", "submitter__profile__organization")
        .prefetch_related(Prefetch("authors", queryset=EssayAuthor.objects.select_related("organization")))
        .order_by("pk")
    )
    created = []
    for essay in essays:
        eligible = [m for m in panel if not rules.judge_conflicts(contexts[m.judge_id], essay)]
        if round.assignment_mode == AssignmentMode.ALL:
            chosen = eligible
        else:
            want = round.judges_per_essay - active[essay.pk]
            candidates = sorted(
                (m for m in eligible if m.judge_id not in existing[essay.pk]), key=lambda m: (load[m.judge_id], m.judge_id)
            )
            chosen = candidates[: max(0, want)]
        for member in chosen:
            if member.judge_id in existing[essay.pk]:
                continue
            created.append(Assignment(round=round, essay=essay, judge_id=member.judge_id))
            existing[essay.pk].add(member.judge_id)
            load[member.judge_id] += 1
    Assignment.objects.bulk_create(created)
    _notify_assignments(round, created)
    if round.status == JudgingStatus.DRAFT:
        round.status = JudgingStatus.OPEN
        round.save(update_fields=["status"])
    return len(created)


@transaction.atomic
def sheet_save(*, assignment: Assignment, judge, points: dict[int, int], comment: str, submit: bool) -> Assignment:
    """Save a judge's scores as a draft, or submit them (then locked until an organizer reopens)."""
    assignment = Assignment.objects.select_for_update().select_related("round").get(pk=assignment.pk)
    if assignment.judge_id != judge.pk:
        raise EssayError(_("Phiếu chấm này không phải của anh/chị."))
    guard_contest_writable(assignment.round.phase.contest, error=EssayError)
    if assignment.round.status != JudgingStatus.OPEN:
        raise EssayError(_("Vòng chấm không mở."))
    if assignment.status == SheetStatus.SUBMITTED:
        raise EssayError(_("Phiếu chấm đã nộp và bị khóa; chỉ Ban Tổ chức có thể mở lại."))
    if assignment.status == SheetStatus.CONFLICT:
        raise EssayError(_("Anh/chị đã báo xung đột lợi ích với bài này."))
    try:
        comment = clean_text(comment or "", multiline=True, label=_("Nhận xét"))
    except ValidationError as exc:
        raise EssayError(exc.messages[0]) from exc
    limit = Assignment._meta.get_field("comment").max_length
    if len(comment) > limit:
        raise EssayError(_("Nhận xét dài %(n)d ký tự; tối đa %(limit)d ký tự.") % {"n": len(comment), "limit": limit})
    criteria = {c.pk: c for c in Criterion.objects.filter(round=assignment.round)}
    for cid, value in points.items():
        if cid not in criteria or not 0 <= value <= criteria[cid].max_points:
            raise EssayError(_("Điểm không hợp lệ: mỗi tiêu chí từ 0 đến điểm tối đa của tiêu chí."))
    if submit and set(points) != set(criteria):
        raise EssayError(_("Cần chấm đủ mọi tiêu chí trước khi nộp điểm."))
    Score.objects.filter(assignment=assignment).exclude(criterion_id__in=points).delete()
    for cid, value in points.items():
        Score.objects.update_or_create(assignment=assignment, criterion_id=cid, defaults={"points": value})
    assignment.comment = comment
    assignment.status = SheetStatus.SUBMITTED if submit else SheetStatus.DRAFT
    assignment.submitted_at = timezone.now() if submit else None
    assignment.save(update_fields=["comment", "status", "submitted_at", "updated_at"])
    return assignment


@transaction.atomic
def sheet_reopen(*, assignment: Assignment, by=None, reason: str = "") -> Assignment:
    """An organizer reopens a submitted score sheet (the judge may change it again); recorded."""
    reopened = Assignment.objects.filter(pk=assignment.pk, status=SheetStatus.SUBMITTED).update(
        status=SheetStatus.DRAFT, submitted_at=None
    )
    assignment.refresh_from_db()
    if reopened:
        decision_record(action=Action.SHEET_REOPEN, obj=assignment, by=by, reason=reason)
    return assignment


CONFLICT_REASON_MIN = 10  # characters: «quen tác giả» passes, «x» does not


def conflict_reason_clean(reason: str) -> str:
    """The judge's reason for a conflict of interest, required: clean text, 10 to 500
    characters (what the organizers read before they accept it or undo it)."""
    try:
        reason = clean_text(reason or "", label=_("Lý do xung đột lợi ích"))
    except ValidationError as exc:
        raise EssayError(exc.messages[0]) from exc
    limit = Assignment._meta.get_field("conflict_reason").max_length
    if len(reason) < CONFLICT_REASON_MIN:
        raise EssayError(
            _(
                "Cần ghi rõ lý do xung đột lợi ích (ít nhất %(n)d ký tự), "
                "ví dụ: quen biết tác giả, từng công tác ở đơn vị được viết."
            )
            % {"n": CONFLICT_REASON_MIN}
        )
    if len(reason) > limit:
        raise EssayError(_("Lý do dài %(n)d ký tự; tối đa %(limit)d ký tự.") % {"n": len(reason), "limit": limit})
    return reason


def _conflict_undone(assignment: Assignment) -> bool:
    from contests.models import Decision

    return Decision.objects.filter(
        action=Action.CONFLICT_UNDO, object_type=Assignment._meta.label_lower, object_id=assignment.pk
    ).exists()


@transaction.atomic
def conflict_declare(*, assignment: Assignment, judge, reason: str) -> Assignment:
    """A judge declares a conflict of interest, with a reason (the page asks them to confirm
    first): the essay leaves their queue (recorded) and, when essays get N judges each, another
    judge of the panel takes it — the least loaded one not in conflict (`round_assign`), never
    one the declaring judge picks. Only while the round is open, never on a submitted sheet, and
    not again once an organizer has undone it (`conflict_undo`: their decision stands)."""
    assignment = Assignment.objects.select_for_update().select_related("round__phase__contest").get(pk=assignment.pk)
    if assignment.judge_id != judge.pk:
        raise EssayError(_("Phiếu chấm này không phải của anh/chị."))
    guard_contest_writable(assignment.round.phase.contest, error=EssayError)
    if assignment.round.status != JudgingStatus.OPEN:
        raise EssayError(_("Vòng chấm không mở."))
    if assignment.status == SheetStatus.CONFLICT:
        raise EssayError(_("Anh/chị đã báo xung đột lợi ích với bài này."))
    if assignment.status == SheetStatus.SUBMITTED:
        raise EssayError(_("Phiếu chấm đã nộp; hãy liên hệ Ban Tổ chức."))
    if _conflict_undone(assignment):
        raise EssayError(
            _(
                "Ban Tổ chức đã xem xét và hoàn tác khai báo xung đột lợi ích của anh/chị với bài này; "
                "nếu có lý do mới, hãy liên hệ Ban Tổ chức."
            )
        )
    reason = conflict_reason_clean(reason)
    Score.objects.filter(assignment=assignment).delete()
    assignment.status = SheetStatus.CONFLICT
    assignment.conflict_reason = reason
    assignment.comment = ""
    assignment.save(update_fields=["status", "conflict_reason", "comment", "updated_at"])
    data = {}
    if assignment.round.assignment_mode == AssignmentMode.PER_ESSAY:
        sheets = Assignment.objects.filter(round=assignment.round, essay_id=assignment.essay_id)
        before = set(sheets.values_list("pk", flat=True))
        round_assign(round=assignment.round)
        replacement = sheets.exclude(pk__in=before).first()
        if replacement is not None:  # recorded (its number, no name): an undo withdraws this sheet only
            data = {"replacement_sheet": replacement.pk}
    decision_record(action=Action.CONFLICT, obj=assignment, by=judge, reason=reason, data=data)
    return assignment


def _replacement(assignment: Assignment) -> Assignment | None:
    """The sheet `conflict_declare` gave another judge in place of this one (its decision names
    it), if it is still there."""
    from contests.models import Decision

    declared = (
        Decision.objects.filter(action=Action.CONFLICT, object_type=Assignment._meta.label_lower, object_id=assignment.pk)
        .order_by("-at", "-pk")
        .values_list("data", flat=True)
        .first()
    )
    pk = (declared or {}).get("replacement_sheet")
    if pk is None:
        return None
    return Assignment.objects.select_for_update().filter(pk=pk, round_id=assignment.round_id).first()


@transaction.atomic
def conflict_undo(*, assignment: Assignment, by, reason: str) -> Assignment:
    """An organizer undoes a judge's declared conflict of interest, with a reason, recorded in the
    decision log: the sheet goes back to the judge's queue, unscored. Never the judge themselves
    (an organizer who is also the judge of the sheet included). When essays get N judges each and
    the declaration gave the essay to a replacement (its decision names the sheet), that sheet is
    withdrawn while still untouched; once the replacement has started scoring the essay keeps its
    N judges and the undo is refused."""
    if not rules.can_undo_conflict(by):
        raise EssayError(_("Chỉ Ban Tổ chức được hoàn tác khai báo xung đột lợi ích."))
    reason = (reason or "").strip()
    if not reason:
        raise EssayError(_("Cần ghi lý do hoàn tác khai báo xung đột lợi ích."))
    assignment = Assignment.objects.select_for_update().select_related("round__phase__contest", "essay").get(pk=assignment.pk)
    if assignment.judge_id == by.pk:
        raise EssayError(
            _("Không thể tự hoàn tác khai báo xung đột lợi ích của chính mình; một thành viên khác của Ban Tổ chức sẽ xem xét.")
        )
    round = assignment.round
    guard_contest_writable(round.phase.contest, error=EssayError)
    if assignment.status != SheetStatus.CONFLICT:
        raise EssayError(_("Phiếu chấm này không ở trạng thái xung đột lợi ích."))
    if round.status != JudgingStatus.OPEN:
        raise EssayError(_("Vòng chấm không mở."))
    data = {"declared": assignment.conflict_reason}
    if round.assignment_mode == AssignmentMode.PER_ESSAY:
        replacement = _replacement(assignment)
        untouched = (
            replacement is not None
            and replacement.status == SheetStatus.PENDING
            and not replacement.comment
            and not replacement.scores.exists()
        )
        if untouched:
            data["replacement_removed"] = replacement.pk
            replacement.delete()
        others = Assignment.objects.filter(round=round, essay_id=assignment.essay_id).exclude(pk=assignment.pk)
        if others.exclude(status=SheetStatus.CONFLICT).count() >= round.judges_per_essay:
            raise EssayError(
                _("Bài %(code)s đã có đủ %(n)d giám khảo đang chấm (giám khảo thay thế đã bắt đầu chấm); không thể hoàn tác.")
                % {"code": assignment.essay.code, "n": round.judges_per_essay}
            )
    assignment.status = SheetStatus.PENDING
    assignment.conflict_reason = ""
    assignment.submitted_at = None
    assignment.save(update_fields=["status", "conflict_reason", "submitted_at", "updated_at"])
    decision_record(action=Action.CONFLICT_UNDO, obj=assignment, by=by, reason=reason, data=data)
    return assignment


@transaction.atomic
def round_close(*, round: JudgingRound, by=None) -> JudgingRound:
    round.status = JudgingStatus.CLOSED
    round.closed_at = timezone.now()
    round.save(update_fields=["status", "closed_at"])
    decision_record(action=Action.ROUND_CLOSE, obj=round, by=by)
    return round


@transaction.atomic
def round_advance(*, round: JudgingRound, to: JudgingRound, essay_ids: list[int], by=None) -> int:
    """Put the chosen essays into the next round (its judges are assigned when it starts)."""
    if round.status != JudgingStatus.CLOSED:
        raise EssayError(_("Cần kết thúc vòng chấm trước khi chọn bài vào vòng sau."))
    existing = set(RoundEssay.objects.filter(round=to).values_list("essay_id", flat=True))
    new = [RoundEssay(round=to, essay_id=eid) for eid in essay_ids if eid not in existing]
    RoundEssay.objects.bulk_create(new)
    codes = list(Essay.objects.filter(pk__in=[e.essay_id for e in new]).order_by("code").values_list("code", flat=True))
    decision_record(action=Action.ADVANCE, obj=to, by=by, data={"from": str(round), "essays": codes})
    return len(new)


@dataclass(frozen=True)
class CriterionChange:
    """The new values of one criterion (None: unchanged)."""

    weight: Decimal | None = None
    max_points: int | None = None


def rubric_amend(*, round: JudgingRound, changes: dict[int, CriterionChange], by, reason: str) -> JudgingRound:
    """«Sửa tiêu chí chấm»: the one way a scored round's weights or maximum points change
    (essays.freeze). An organizer, with a reason; recorded with the values before and after. The
    results are computed from the stored sheets and weights (essays.selectors.round_results, and
    verify_results the same way), so every mean follows at once; what was decided from the old
    ones stays decided: a round whose prize list was drawn from it is refused."""
    from .freeze import rubric_amend_opened

    if not rules.can_amend_rubric(by):
        raise EssayError(_("Chỉ Ban Tổ chức được sửa tiêu chí chấm."))
    reason = (reason or "").strip()
    if not reason:
        raise EssayError(_("Cần ghi lý do sửa tiêu chí chấm."))
    round = JudgingRound.objects.select_for_update().select_related("phase__contest").get(pk=round.pk)
    guard_contest_writable(round.phase.contest, error=EssayError)
    part = EssayPrizes()
    if any(part.scope_of(prize) == round for prize in EssayPrize.objects.filter(essay__round_entries__round=round)):
        raise EssayError(_("Đã lập danh sách giải từ kết quả vòng chấm này; không thể sửa tiêu chí chấm của vòng."))
    criteria = {c.pk: c for c in Criterion.objects.select_for_update().filter(round=round)}
    before, after = {}, {}
    for pk, change in changes.items():
        criterion = criteria.get(pk)
        if criterion is None:
            raise EssayError(_("Tiêu chí không thuộc vòng chấm này."))
        weight = criterion.weight if change.weight is None else Decimal(change.weight).quantize(Decimal("0.01"))
        max_points = criterion.max_points if change.max_points is None else int(change.max_points)
        if not Decimal("0") < weight < Decimal("100"):
            raise EssayError(_("Trọng số phải lớn hơn 0 và nhỏ hơn 100."))
        if max_points < 1:
            raise EssayError(_("Điểm tối đa phải từ 1 trở lên."))
        highest = Score.objects.filter(criterion=criterion).order_by("-points").values_list("points", flat=True).first()
        if highest is not None and highest > max_points:
            raise EssayError(
                _("Tiêu chí «%(name)s» đã có phiếu chấm %(points)d điểm; điểm tối đa không thể nhỏ hơn.")
                % {"name": criterion.name, "points": highest}
            )
        if (weight, max_points) == (criterion.weight, criterion.max_points):
            continue
        label = f"{criterion.name} (#{criterion.pk})"
        before[label] = _("trọng số %(w)s, điểm tối đa %(m)d") % {"w": criterion.weight, "m": criterion.max_points}
        after[label] = _("trọng số %(w)s, điểm tối đa %(m)d") % {"w": weight, "m": max_points}
        criterion.weight, criterion.max_points = weight, max_points
        with rubric_amend_opened():
            criterion.save(update_fields=["weight", "max_points"])
    if not before:
        raise EssayError(_("Không có thay đổi nào so với tiêu chí đang dùng."))
    decision_record(action=Action.RUBRIC_AMEND, obj=round, by=by, reason=reason, data={"from": before, "to": after})
    return round


PRIZE_PLAN = [(PrizeTier.FIRST, 1), (PrizeTier.SECOND, 2), (PrizeTier.THIRD, 3), (PrizeTier.CONSOLATION, 4)]


class EssayPrizes(prizes.PrizePart):
    """The writing contest's part for the prize lifecycle (contests.prizes): prizes go down the
    final round's ranking; publication puts the awarded essays on the public site."""

    model = EssayPrize
    holder = "essay_id"
    error = EssayError

    def __init__(self, plan=PRIZE_PLAN):
        self.plan = plan

    def scope_of(self, prize):
        return JudgingRound.objects.filter(entries__essay_id=prize.essay_id).order_by("-order").first()

    def prizes(self, scope):
        return EssayPrize.objects.filter(essay__round_entries__round=scope)

    def tiers(self, scope):
        return [tier for tier, count in self.plan for _i in range(count)]

    def candidates(self, scope):
        for place, result in enumerate(r for r in round_results(round=scope) if r.mean is not None):
            yield prizes.Candidate(result.essay.pk, place + 1, {"essay": result.essay})

    def is_published(self, scope):
        return self.prizes(scope).filter(essay__published_at__isnull=False).exists()

    def prepare(self, scope):
        if scope.status != JudgingStatus.CLOSED:
            raise EssayError(_("Cần kết thúc vòng chung khảo trước khi trao giải."))

    def on_verified_after_publication(self, prize):
        Essay.objects.filter(pk=prize.essay_id, published_at__isnull=True).update(published_at=timezone.now())

    def on_invalid_after_publication(self, prize):
        # An essay published for a prize it should not have had leaves the public site.
        Essay.objects.filter(pk=prize.essay_id).update(published_at=None)

    def tell_moved(self, prizes):
        """After publication: a verified essay prize whose tier changed, or that joined the list
        and was verified, is told to its submitter (once per prize and tier)."""
        for prize in EssayPrize.objects.filter(pk__in=[p.pk for p in prizes]).select_related("essay__submitter", "essay__phase"):
            _prize_won_notify(prize, key=f"prize_won:essay:{prize.pk}:{prize.tier}")


def prizes_award(*, round: JudgingRound, plan=PRIZE_PLAN, by=None) -> list[EssayPrize]:
    """Draft the prizes from the final ranking (the seed: 10 — 1 first, 2 second, 3 third, 4
    consolation) through the shared lifecycle: essays found not valid keep their record and are
    skipped, so the next ones move up; a prize already verified stays verified. Safe to run again."""
    return prizes.prizes_draft(part=EssayPrizes(plan), scope=round, by=by)


def prize_verify(*, prize: EssayPrize, by, valid: bool, note: str = "") -> EssayPrize:
    """The secretariat checks an awarded essay (authors, the real people and events it tells of).
    A prize found not valid goes to the next essay of the final ranking."""
    return prizes.prize_verify(part=EssayPrizes(), prize=prize, by=by, valid=valid, note=note)


def prize_amend(*, prize: EssayPrize, by, valid: bool, reason: str) -> EssayPrize:
    """«Sửa kết quả đã công bố» for an essay prize (see contests.prizes.prize_amend)."""
    return prizes.prize_amend(part=EssayPrizes(), prize=prize, by=by, valid=valid, reason=reason)


def _notify_assignments(round: JudgingRound, created: list) -> None:
    """Each judge with new sheets hears how many (one message per judge and run of round_assign)."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from contests import notifications

    new = Counter(a.judge_id for a in created)
    if not new:
        return
    url = settings.SITE_URL + reverse("judging:queue")
    notifications.notify_users(
        users=get_user_model().objects.filter(pk__in=new),
        kind=notifications.Kind.JUDGE_ASSIGNMENTS,
        # One event per run of round_assign: the newest sheet it made names it.
        key=f"assignments:{round.pk}:{max(a.pk or 0 for a in created)}",
        context=lambda judge: {"round_name": round.name, "sheets": new[judge.pk], "url": url},
    )


def prizes_publish_problem(round: JudgingRound, *, awarded: list) -> str:
    """Why a judging round's prize list cannot be published now ("" when it can): not published
    before, not empty, fully verified. `awarded`: the round's valid prizes (with their status).
    Asked by prizes_publish and by the confirmation page (awards.publication)."""
    if EssayPrizes().is_published(round):
        return _("Giải bài viết của vòng này đã được công bố; chỉ có thể sửa qua «sửa kết quả đã công bố».")
    if not awarded:
        return _("Chưa có danh sách giải.")
    if not prizes.fully_verified(awarded):
        return _("Tổ Thư ký chưa xác minh hết các bài đạt giải; chỉ công bố danh sách đã xác minh.")
    return ""


@transaction.atomic
def prizes_publish(*, round: JudgingRound, by=None, reason: str = "", data: dict | None = None) -> int:
    """Publish a fully verified prize list, once: the awarded essays appear on the public site.
    A list already published changes only through «sửa kết quả đã công bố» (prize_amend), never a
    second publication (which would log a second «Công bố kết quả»). `reason` and `data` go into
    the decision (awards.publication records an override of open integrity cases there)."""
    round = JudgingRound.objects.select_for_update().get(pk=round.pk)
    awarded = EssayPrize.objects.filter(essay__round_entries__round=round).valid()
    problem = prizes_publish_problem(round, awarded=list(awarded.only("status")))
    if problem:
        raise EssayError(problem)
    published = Essay.objects.filter(prize__in=awarded, published_at__isnull=True).update(published_at=timezone.now())
    decision_record(
        action=Action.PUBLISH, obj=round, by=by, reason=reason,
        data={"prizes": awarded.count(), "essays_published": published, **(data or {})},
    )  # fmt: skip
    _notify_results(round, awarded)
    return published


def _prize_won_notify(prize: EssayPrize, *, key: str) -> None:
    """An essay prize told to its submitter (at publication, or when it moved after it)."""
    from django.conf import settings
    from django.urls import reverse

    from contests import notifications

    essay = prize.essay
    notifications.notify(
        user=essay.submitter,
        kind=notifications.Kind.PRIZE_WON,
        key=key,
        context={
            "tier_label": prize.get_tier_display(),
            "scope_name": f"{essay.phase.name} – {essay.code} «{essay.title}»",
            "url": settings.SITE_URL + reverse("essays:public", args=[essay.code]),
            "hotline": settings.CONTEST_HOTLINE,
        },
    )


def _notify_results(round: JudgingRound, awarded) -> None:
    """The authors of the round's essays hear the results; each winning submitter, the prize."""
    from django.conf import settings
    from django.urls import reverse

    from contests import notifications

    url = settings.SITE_URL + reverse("essays:index")
    for prize in awarded.select_related("essay__submitter", "essay__phase"):
        _prize_won_notify(prize, key=f"prize_won:essay:{prize.pk}")
    essays = Essay.objects.filter(round_entries__round=round).select_related("submitter")
    notifications.notify_users(
        users={e.submitter_id: e.submitter for e in essays}.values(),
        kind=notifications.Kind.RESULTS,
        key=f"results:essays:{round.pk}",
        context={"title": round.name, "url": url},
    )


def default_rubric() -> list[tuple[str, int, Decimal]]:
    """The seed's criteria (domain.md)."""
    return [
        ("Bám sát chủ đề", 20, Decimal("1")),
        ("Thông tin chính xác, trung thực, khách quan, kịp thời", 20, Decimal("1")),
        ("Giá trị giáo dục tư tưởng, chính trị", 20, Decimal("1")),
        ("Phát hiện, cổ vũ, nêu gương điển hình, mô hình mới", 20, Decimal("1")),
        ("Nhân văn, sáng tạo, văn phong tốt", 20, Decimal("1")),
    ]
