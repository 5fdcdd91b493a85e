"""Sharing a published result (ResultShare): who may share which result, the name as the owner
chose to show it, and the small object the public page /share/<token>/ shows — the contest, the
round, the prize if any, and the score only when the owner chose to show it. Writes are
quiz.services.sharing's."""

from dataclasses import dataclass

from .enums import PrizeStatus, RoundKind
from .models import Prize, ResultShare, Round, RoundEntry


def shareable_entry(*, user, round: Round) -> RoundEntry | None:
    """The entry a contestant may share: their own, ranked (not disqualified), of a weekly round
    whose results are published. None otherwise. One query."""
    if not user.is_authenticated or round.kind != RoundKind.WEEKLY or round.results_published_at is None:
        return None
    return RoundEntry.objects.filter(round=round, user=user, disqualified=False).first()


def name_as_shown(full_name: str, style: str) -> str:
    """The owner's name as they chose to show it: in full, or the first letter of each word
    («Nguyễn Văn An» → «N. V. A.»)."""
    if style == ResultShare.NameShown.INITIALS:
        return " ".join(f"{word[0].upper()}." for word in full_name.split())
    return full_name


@dataclass(frozen=True)
class SharedResult:
    """What the public share page may show, and nothing else (no id, no e-mail, no unit)."""

    token: str
    user_id: int  # never shown: whether the viewer is the owner (the «stop sharing» button)
    contest_name: str
    round_name: str
    name: str
    score: int | None  # None: the owner chose not to show it
    questions: int
    prize: str  # the verified prize's tier label, or ""


def shared_result(*, token: str) -> SharedResult | None:
    """The shared result behind a token, or None: no such token (never shared, revoked), an entry
    no longer ranked, results no longer public. Two queries (the share with its round, contest and
    owner; the entry with its prize)."""
    share = (
        ResultShare.objects.select_related("round__contest", "user")
        .only("token", "name_shown", "show_score", "user__full_name", "round__name", "round__kind",
              "round__questions_per_attempt", "round__results_published_at", "round__contest__name")
        .filter(token=token, round__results_published_at__isnull=False, round__kind=RoundKind.WEEKLY)
        .first()
    )  # fmt: skip
    if share is None:
        return None
    entry = RoundEntry.objects.filter(round_id=share.round_id, user_id=share.user_id, disqualified=False).values("score").first()
    if entry is None:
        return None
    prize = Prize.objects.filter(round_id=share.round_id, user_id=share.user_id, status=PrizeStatus.VERIFIED).first()
    return SharedResult(
        token=share.token,
        user_id=share.user_id,
        contest_name=share.round.contest.name,
        round_name=share.round.name,
        name=name_as_shown(share.user.full_name, share.name_shown),
        score=entry["score"] if share.show_score else None,
        questions=share.round.questions_per_attempt,
        prize=prize.get_tier_display() if prize else "",
    )


def shares_for_user(*, user, round_ids) -> dict[int, ResultShare]:
    """A contestant's shares among these rounds, by round (the «Kết quả của tôi» page). One query."""
    return {s.round_id: s for s in ResultShare.objects.filter(user=user, round_id__in=list(round_ids))}
