"""The public's vote («bình chọn») on published essays: the window a phase sets, who may vote
(a signed-in person whose sign-in number an SMS code verified), one vote per phone, essay and day
(the constraint `essay_vote_one_per_phone_essay_day` behind it), the limits per address and per
number an hour, the ranking by votes and «Giải bình chọn».

The votes are results apart: they never enter the jury's scores (`essays.selectors.sheet_total`,
`round_results`) nor the jury's prizes. The integrity review finds bursts of votes
(`audit.integrity.vote_bursts`)."""

import datetime
from dataclasses import dataclass

from allauth.core.internal import ratelimit
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from contests.decisions import decision_record
from contests.models import Decision
from contests.rules import guard_contest_writable

from .models import Essay, EssayPhase, EssayVote, VotePrize

# Per address (a meeting room behind one NAT votes too) and per number, an hour; refused tries
# count as well, so a script is slowed whatever it sends.
DEFAULT_RATE_LIMITS = {"essay_vote": "60/h/ip,20/h/key"}


class VoteError(Exception):
    def __init__(self, message: str, *, limited: bool = False):
        super().__init__(message)
        self.message = message
        self.limited = limited


def vote_window_problems(phase: EssayPhase) -> dict[str, str]:
    """What is wrong with a phase's vote settings (the admin's form asks, the constraint repeats)."""
    problems: dict[str, str] = {}
    if phase.vote_enabled:
        if phase.vote_opens_at is None:
            problems["vote_opens_at"] = _("Bật bình chọn thì phải có thời điểm mở bình chọn.")
        if phase.vote_closes_at is None:
            problems["vote_closes_at"] = _("Bật bình chọn thì phải có thời điểm kết thúc bình chọn.")
        elif phase.vote_opens_at is not None and phase.vote_closes_at <= phase.vote_opens_at:
            problems["vote_closes_at"] = _("Thời điểm kết thúc bình chọn phải sau thời điểm mở bình chọn.")
    if phase.vote_prize and not phase.vote_enabled:
        problems["vote_prize"] = _("«Giải bình chọn» chỉ có khi bật bình chọn.")
    return problems


def vote_open(phase: EssayPhase, *, now=None) -> bool:
    now = now or timezone.now()
    return bool(
        phase.vote_enabled
        and phase.vote_opens_at is not None
        and phase.vote_closes_at is not None
        and phase.vote_opens_at <= now < phase.vote_closes_at
    )


def vote_closed(phase: EssayPhase, *, now=None) -> bool:
    """The window has ended (the ranking is final)."""
    return bool(phase.vote_enabled and phase.vote_closes_at is not None and (now or timezone.now()) >= phase.vote_closes_at)


def vote_day(now: datetime.datetime) -> datetime.date:
    """The contest's calendar day (Asia/Ho_Chi_Minh), whatever the server's zone."""
    return now.astimezone(timezone.get_default_timezone()).date()


def voter_problem(user) -> str:
    """Why this person cannot vote ("" when they can)."""
    if not user.is_authenticated:
        return _("Vui lòng đăng nhập để bình chọn.")
    if not user.phone or not user.phone_verified:
        return _("Chỉ tài khoản có số điện thoại đã xác minh bằng mã SMS mới được bình chọn. Vui lòng xác minh số điện thoại.")
    return ""


def vote_problem(*, essay: Essay, user, now=None) -> str:
    """Why this vote cannot be cast ("" when it can): the essay, the window, the voter."""
    if essay.published_at is None:
        return _("Bài viết này chưa được đăng nên chưa thể bình chọn.")
    if not vote_open(essay.phase, now=now):
        return _("Bài viết này hiện không trong thời gian bình chọn.")
    return voter_problem(user)


def vote_limited(request, *, phone: str) -> bool:
    """Whether this request goes over the limits per address or per number an hour (and counts it)."""
    config = getattr(settings, "ESSAY_VOTE_RATE_LIMITS", DEFAULT_RATE_LIMITS)
    return not ratelimit.consume(request, action="essay_vote", config=config, key=phone)


def essay_vote(*, essay: Essay, user, ip: str | None, request=None, now=None) -> EssayVote:
    """Cast one vote. Refused (VoteError, a Vietnamese message) outside the window, on an
    unpublished essay, without a verified phone, over the limits, or a second time the same day."""
    now = now or timezone.now()
    problem = vote_problem(essay=essay, user=user, now=now)
    if problem:
        raise VoteError(problem)
    if request is not None and vote_limited(request, phone=user.phone):
        raise VoteError(
            _("Bạn đã bình chọn quá nhiều lần trong một giờ từ số điện thoại hoặc mạng này. Vui lòng thử lại sau."),
            limited=True,
        )
    guard_contest_writable(essay.phase.contest, error=VoteError)
    try:
        with transaction.atomic():
            return EssayVote.objects.create(
                essay=essay, voter=user, phone=user.phone, day=vote_day(now), ip_address=ip or None, created_at=now
            )
    except IntegrityError:
        raise VoteError(
            _("Số điện thoại của bạn đã bình chọn cho bài này hôm nay. Mỗi ngày được bình chọn một lần cho mỗi bài.")
        ) from None


def voted_today(*, essay: Essay, user, now=None) -> bool:
    if not getattr(user, "phone", None):
        return False
    return EssayVote.objects.filter(essay=essay, phone=user.phone, day=vote_day(now or timezone.now())).exists()


@dataclass(frozen=True)
class VoteRow:
    place: int
    essay: Essay
    votes: int


def vote_ranking(*, phase: EssayPhase) -> list[VoteRow]:
    """The phase's published essays by votes; equal votes: the earlier submission, then the id
    (the written rule of «Giải bình chọn»). Places are shared by equal votes. One query."""
    essays = (
        Essay.objects.filter(phase=phase, published_at__isnull=False)
        .select_related("subject_organization")
        .annotate(n_votes=Count("votes"))
        .order_by("-n_votes", "submitted_at", "id")
    )
    rows, place, last = [], 0, None
    for i, essay in enumerate(essays, start=1):
        if essay.n_votes != last:
            place, last = i, essay.n_votes
        rows.append(VoteRow(place, essay, essay.n_votes))
    return rows


def vote_phases(*, contest):
    """The contest's phases with the public vote on, with their «Giải bình chọn» if drafted."""
    return list(
        EssayPhase.objects.filter(contest=contest, vote_enabled=True)
        .select_related("vote_prize_award__essay")
        .order_by("opens_at", "id")
    )


def vote_prize_problem(*, phase: EssayPhase, now=None) -> str:
    if not phase.vote_prize:
        return _("Kế hoạch giải của giai đoạn này không có «Giải bình chọn».")
    if not vote_closed(phase, now=now):
        return _("Chỉ lập «Giải bình chọn» sau khi kết thúc bình chọn.")
    if hasattr(phase, "vote_prize_award"):  # cached by vote_phases' select_related; else one query
        return _("«Giải bình chọn» của giai đoạn này đã được lập.")
    return ""


@transaction.atomic
def vote_prize_draft(*, phase: EssayPhase, by, now=None) -> VotePrize:
    """«Giải bình chọn»: the top essay of `vote_ranking` once the window has closed (ties: the
    earlier submission), recorded in the decision log. Once per phase."""
    phase = EssayPhase.objects.select_for_update().select_related("contest").get(pk=phase.pk)
    guard_contest_writable(phase.contest, error=VoteError)
    problem = vote_prize_problem(phase=phase, now=now)
    if problem:
        raise VoteError(problem)
    ranking = [row for row in vote_ranking(phase=phase) if row.votes > 0]
    if not ranking:
        raise VoteError(_("Chưa có bài nào được bình chọn."))
    top = ranking[0]
    prize = VotePrize.objects.create(phase=phase, essay=top.essay, votes=top.votes, drafted_by=by)
    tied = [row.essay.code for row in ranking[1:] if row.votes == top.votes]
    decision_record(
        action=Decision.Action.PRIZES_DRAFT,
        obj=prize,
        by=by,
        contest=phase.contest,
        reason=_("Giải bình chọn: bài nhiều lượt bình chọn nhất; bằng nhau thì bài nộp sớm hơn."),
        data={"kind": "vote", "essay": top.essay.code, "votes": top.votes, "tied_with": tied},
    )
    return prize


def vote_prizes_counting(*, contest=None):
    """The «Giải bình chọn» that count — in the award decision, the payment list, the winners'
    details and the certificates: drafted (after the window closed, by an organizer, recorded) and
    its essay still published. No verdict of the secretariat's: the prize is a count, not a
    judgement of a person; the essay was screened eligible and published, and the count's
    integrity is the vote-burst review's (docs/decisions.md, «The readers' vote prize counts
    without a verdict»). An essay taken off the site takes its prize out of every file."""
    prizes = VotePrize.objects.filter(essay__published_at__isnull=False)
    return prizes if contest is None else prizes.filter(phase__contest=contest)


def vote_counts(*, essay_ids) -> dict[int, int]:
    return dict(
        EssayVote.objects.filter(essay_id__in=list(essay_ids))
        .values("essay_id")
        .annotate(n=Count("id"))
        .values_list("essay_id", "n")
    )


def bursts(*, contest, since=None, per_address: int, per_block: int, numbers: int):
    """Raw material of the integrity review (audit.integrity): per hour, the addresses with at
    least `per_address` votes from at least `numbers` numbers, and the /24 blocks (IPv4) with at
    least `per_block` numbers. Two queries."""
    from django.db.models.functions import TruncHour

    votes = EssayVote.objects.filter(essay__phase__contest=contest).exclude(ip_address=None)
    if since is not None:
        votes = votes.filter(created_at__gte=since)
    by_address = list(
        votes.annotate(hour=TruncHour("created_at"))
        .values("ip_address", "hour")
        .annotate(n=Count("id"), numbers=Count("phone", distinct=True, filter=~Q(phone="")))
        .filter(n__gte=per_address, numbers__gte=numbers)
        .order_by("hour", "ip_address")
    )
    blocks: dict[tuple, dict] = {}
    grouped = (
        votes.annotate(hour=TruncHour("created_at"))
        .values("ip_address", "hour", "phone")
        .annotate(n=Count("id"))
        .values_list("ip_address", "hour", "phone", "n")
    )
    for ip, hour, phone, n in grouped:
        if ":" in ip:
            continue
        block = ip.rsplit(".", 1)[0] + ".0/24"
        entry = blocks.setdefault((block, hour), {"n": 0, "phones": set(), "addresses": set()})
        entry["n"] += n
        entry["addresses"].add(ip)
        if phone:
            entry["phones"].add(phone)
    by_block = [
        {"block": block, "hour": hour, "n": e["n"], "numbers": len(e["phones"]), "addresses": len(e["addresses"])}
        for (block, hour), e in sorted(blocks.items(), key=lambda item: (item[0][1], item[0][0]))
        if len(e["phones"]) >= per_block and len(e["addresses"]) > 1
    ]
    return by_address, by_block
