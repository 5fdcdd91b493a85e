"""The secretariat's figures, computed from stored attempts. Every total is the sum of its parts."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Min, Q

from accounts.collation import vi_sort_key
from accounts.enums import OrganizationKind
from accounts.models import Organization
from contests.enums import PrizeStatus
from essays.enums import Eligibility, EssayStatus
from essays.models import Essay
from quiz.enums import RoundKind
from quiz.models import Attempt, Prize, Round

# Prizes that count (the same filter as PrizeQuerySet.valid(), across the essay's reverse relation).
VALID_PRIZE = (PrizeStatus.DRAFT, PrizeStatus.VERIFIED)


@dataclass
class RoundRow:
    round: Round | None
    participants: int = 0
    attempts: int = 0
    full_attempts: int = 0
    full_people: int = 0
    near_attempts: int = 0
    near_people: int = 0
    fastest_full_ms: int | None = None


def weekly_table(*, contest) -> tuple[list[RoundRow], RoundRow]:
    """The seed report's weekly table (section I.2.1): one row per weekly round and a total row
    whose every figure is the sum of the weeks (participants counted per week, as «lượt người»;
    the fastest full score is the minimum). One query."""
    rounds = {
        r.pk: r
        for r in Round.objects.filter(contest=contest, kind=RoundKind.WEEKLY, approved_at__isnull=False).order_by("number")
    }
    figures = (
        Attempt.objects.finished()
        .filter(round_id__in=rounds)
        .values("round_id", "round__questions_per_attempt")
        .annotate(
            attempts=Count("id"),
            participants=Count("user", distinct=True),
            full_attempts=Count("id", filter=Q(score=F_n())),
            full_people=Count("user", filter=Q(score=F_n()), distinct=True),
            near_attempts=Count("id", filter=Q(score=F_n() - 1)),
            near_people=Count("user", filter=Q(score=F_n() - 1), distinct=True),
            fastest_full_ms=Min("duration_ms", filter=Q(score=F_n())),
        )
    )
    by_round = {row["round_id"]: row for row in figures}
    rows = []
    for pk, round in rounds.items():
        row = by_round.get(pk, {})
        rows.append(RoundRow(round=round, **{k: row.get(k, 0) for k in ("participants", "attempts", "full_attempts",
                                                                        "full_people", "near_attempts", "near_people")},
                             fastest_full_ms=row.get("fastest_full_ms")))  # fmt: skip
    total = RoundRow(round=None)
    for row in rows:
        for name in ("participants", "attempts", "full_attempts", "full_people", "near_attempts", "near_people"):
            setattr(total, name, getattr(total, name) + getattr(row, name))
    fastest = [r.fastest_full_ms for r in rows if r.fastest_full_ms is not None]
    total.fastest_full_ms = min(fastest) if fastest else None
    return rows, total


def F_n():  # noqa: N802 - reads like the F() it wraps
    from django.db.models import F

    return F("round__questions_per_attempt")


@dataclass
class UnitRow:
    unit: Organization
    participants: int = 0
    attempts: int = 0
    full_attempts: int = 0
    prizes: dict[str, int] = field(default_factory=dict)
    essays_submitted: int = 0
    essays_eligible: int = 0
    essays_awarded: int = 0

    @property
    def rate(self) -> float | None:
        """Participants over the unit's member count, where it is known."""
        return self.participants / self.unit.member_count if self.unit.member_count else None

    @property
    def prize_total(self) -> int:
        return sum(self.prizes.values())


def top_units() -> dict[int, Organization]:
    """Every unit id → the unit it rolls up to: the grassroots organization, district committee
    or mass organization at the top of its branch (the bloc itself rolls up to itself)."""
    orgs = {o.pk: o for o in Organization.objects.only("id", "name", "short_name", "kind", "parent_id", "path", "member_count")}
    mapping = {}
    for org in orgs.values():
        chain = [int(p) for p in org.path.strip("/").split("/") if p] or [org.pk]
        top = next((orgs[i] for i in chain if i in orgs and orgs[i].kind != OrganizationKind.BLOC), org)
        mapping[org.pk] = top
    return mapping


def unit_table(*, contest, sort: str = "-attempts") -> list[UnitRow]:
    """Quiz participation and essays rolled up to the top units, sortable so the laggards show.
    Five queries whatever the number of units, attempts or essays."""
    tops = top_units()
    rows: dict[int, UnitRow] = {}

    def row_for(org_id) -> UnitRow:
        top = tops[org_id]
        return rows.setdefault(top.pk, UnitRow(unit=top))

    finished = Attempt.objects.finished().filter(round__contest=contest, round__kind=RoundKind.WEEKLY)
    for org_id, attempts, full in finished.values_list("organization_id").annotate(
        n=Count("id"), full=Count("id", filter=Q(score=F_n()))
    ):
        row = row_for(org_id)
        row.attempts += attempts
        row.full_attempts += full
    people = defaultdict(set)
    for org_id, user_id in finished.values_list("organization_id", "user_id").distinct():
        people[tops[org_id].pk].add(user_id)
    for top_id, users in people.items():
        rows[top_id].participants = len(users)
    prizes = Prize.objects.valid().filter(round__contest=contest).values_list("entry__best_attempt__organization_id", "tier")
    for org_id, tier in prizes:
        row = row_for(org_id)
        row.prizes[tier] = row.prizes.get(tier, 0) + 1
    # The writing part: essays counted for the unit of the collective or person written about.
    essays = (
        Essay.objects.filter(phase__contest=contest, status=EssayStatus.SUBMITTED)
        .values_list("subject_organization_id")
        .annotate(
            n=Count("id"),
            eligible=Count("id", filter=Q(eligibility=Eligibility.ELIGIBLE)),
            awarded=Count("prize", filter=Q(prize__status__in=VALID_PRIZE)),
        )
    )
    for org_id, n, eligible, awarded in essays:
        row = row_for(org_id)
        row.essays_submitted += n
        row.essays_eligible += eligible
        row.essays_awarded += awarded
    for org in {t.pk: t for t in tops.values()}.values():
        if org.kind != OrganizationKind.BLOC:
            rows.setdefault(org.pk, UnitRow(unit=org))
    keys = {
        "attempts": lambda r: r.attempts, "participants": lambda r: r.participants, "full": lambda r: r.full_attempts,
        "rate": lambda r: r.rate if r.rate is not None else -1, "prizes": lambda r: r.prize_total,
        "name": lambda r: vi_sort_key(r.unit.name),
    }  # fmt: skip
    name = sort.lstrip("-")
    key = keys.get(name, keys["attempts"])
    # Ties keep the order of the names (stable sorts, both directions); a unit whose member
    # count is unknown has no rate and comes last whichever way the rates are sorted.
    by_name = sorted(rows.values(), key=keys["name"])
    ordered = sorted(by_name, key=key, reverse=sort.startswith("-") and name in keys)
    if name == "rate":
        ordered.sort(key=lambda r: r.rate is None)
    return ordered


def attempts_timeline(*, contest) -> tuple[list[tuple], list[tuple]]:
    """When the rush comes: attempts per day and per hour of the day (Asia/Ho_Chi_Minh), weekly
    rounds only. Two queries."""
    from django.db.models.functions import ExtractHour, TruncDate
    from django.utils import timezone

    tz = timezone.get_current_timezone()
    finished = Attempt.objects.finished().filter(round__contest=contest, round__kind=RoundKind.WEEKLY)
    by_day = list(
        finished.annotate(day=TruncDate("started_at", tzinfo=tz)).values_list("day").annotate(n=Count("id")).order_by("day")
    )
    hours = dict(finished.annotate(hour=ExtractHour("started_at", tzinfo=tz)).values_list("hour").annotate(n=Count("id")))
    return by_day, [(hour, hours.get(hour, 0)) for hour in range(24)]
