"""The secretariat's figures, computed from stored attempts. Every total is the sum of its parts."""

from collections import defaultdict
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db.models import Count, IntegerField, Min, Q, Value
from django.utils import timezone

from accounts.collation import vi_sort_key
from accounts.enums import OrganizationKind
from accounts.models import Member, Organization, Profile
from contests.prizes import VALID_STATUSES
from essays.enums import Eligibility, EssayStatus
from essays.models import Essay
from quiz.enums import RoundKind
from quiz.models import Attempt, Prize, Round


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
    # On the total row only: the distinct people across the weeks (a person who took part in
    # three weeks is three «lượt người» above and one person here); None on a week's row.
    people: int | None = None
    full_people_distinct: int | None = None


def weekly_table(*, contest) -> tuple[list[RoundRow], RoundRow]:
    """The seed report's weekly table (section I.2.1): one row per weekly round and a total row
    whose every figure is the sum of the weeks (participants counted per week, as «lượt người»;
    the fastest full score is the minimum), and beside the sums the distinct people across the
    weeks (`people`, `full_people_distinct`). One query (the weeks and the whole, in a UNION)."""
    rounds = {
        r.pk: r
        for r in Round.objects.filter(contest=contest, kind=RoundKind.WEEKLY, approved_at__isnull=False).order_by("number")
    }
    finished = Attempt.objects.finished().filter(round_id__in=rounds)
    counts = {
        "attempts": Count("id"),
        "participants": Count("user", distinct=True),
        "full_attempts": Count("id", filter=Q(score=F_n())),
        "full_people": Count("user", filter=Q(score=F_n()), distinct=True),
        "near_attempts": Count("id", filter=Q(score=F_n() - 1)),
        "near_people": Count("user", filter=Q(score=F_n() - 1), distinct=True),
        "fastest_full_ms": Min("duration_ms", filter=Q(score=F_n())),
    }
    per_round = finished.values("round_id").annotate(**counts)
    # The whole contest's row: no round (a constant is grouped by nothing), the same counts.
    whole = finished.annotate(whole=Value(None, output_field=IntegerField())).values("whole").annotate(**counts)
    by_round = {row["round_id"]: row for row in per_round.union(whole, all=True)} if rounds else {}
    distinct = by_round.pop(None, {})
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
    total.people = distinct.get("participants", 0)
    total.full_people_distinct = distinct.get("full_people", 0)
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
    listed: int = 0  # people on the member lists of the unit and the units under it

    @property
    def members(self) -> int | None:
        """What the participation rate is counted against: the unit's member count where it is
        set, otherwise the number of people on its member lists (accounts.Member), otherwise
        unknown. The one rule of the rate's denominator: pages, exports, verify_results."""
        return self.unit.member_count or self.listed or None

    @property
    def rate(self) -> float | None:
        """Participants over the unit's members (see `members`), where that is known."""
        members = self.members
        return self.participants / members if members else None

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


def _roots_of(units: list[Organization]) -> dict[int, list[Organization]]:
    """Every unit id inside the given units' subtrees → the given units it lies under (a unit
    under two of them, one inside the other, counts for both). One query."""
    if not units:
        return {}
    inside = Organization.objects.filter(reduce(or_, (Q(path__startswith=u.path) for u in units))).values_list("pk", "path")
    return {pk: [u for u in units if path.startswith(u.path)] for pk, path in inside}


def unit_table(*, contest, sort: str = "-attempts", units: list[Organization] | None = None, round=None) -> list[UnitRow]:
    """Quiz participation and essays rolled up to the top units, sortable so the laggards show.
    Given `units` (a unit officer's), a row for each of them instead, each rolling up its own
    subtree; given `round`, the quiz figures of that week only (no essays). Six queries whatever
    the number of units, attempts, essays or members."""
    if units is None:
        tops = top_units()
        roots_of = {org_id: [top] for org_id, top in tops.items()}
        shown = [t for t in {t.pk: t for t in tops.values()}.values() if t.kind != OrganizationKind.BLOC]
    else:
        roots_of = _roots_of(units)
        shown = list(units)
    rows: dict[int, UnitRow] = {}

    def rows_for(org_id) -> list[UnitRow]:
        return [rows.setdefault(root.pk, UnitRow(unit=root)) for root in roots_of.get(org_id, ())]

    finished = Attempt.objects.finished().filter(round__contest=contest, round__kind=RoundKind.WEEKLY)
    if round is not None:
        finished = finished.filter(round=round)
    for org_id, attempts, full in finished.values_list("organization_id").annotate(
        n=Count("id"), full=Count("id", filter=Q(score=F_n()))
    ):
        for row in rows_for(org_id):
            row.attempts += attempts
            row.full_attempts += full
    people = defaultdict(set)
    for org_id, user_id in finished.values_list("organization_id", "user_id").distinct():
        for root in roots_of.get(org_id, ()):
            people[root.pk].add(user_id)
    for root_id, users in people.items():
        rows[root_id].participants = len(users)
    prizes = Prize.objects.valid().filter(round__contest=contest)
    if round is not None:
        prizes = prizes.filter(round=round)
    for org_id, tier in prizes.values_list("entry__best_attempt__organization_id", "tier"):
        for row in rows_for(org_id):
            row.prizes[tier] = row.prizes.get(tier, 0) + 1
    # The writing part: essays counted for the unit of the collective or person written about.
    essays = (
        Essay.objects.filter(phase__contest=contest, status=EssayStatus.SUBMITTED)
        .values_list("subject_organization_id")
        .annotate(
            n=Count("id"),
            eligible=Count("id", filter=Q(eligibility=Eligibility.ELIGIBLE)),
            awarded=Count("prize", filter=Q(prize__status__in=VALID_STATUSES)),
        )
    )
    for org_id, n, eligible, awarded in essays if round is None else ():
        for row in rows_for(org_id):
            row.essays_submitted += n
            row.essays_eligible += eligible
            row.essays_awarded += awarded
    for org_id, n in Member.objects.values_list("organization_id").annotate(n=Count("id")):
        for row in rows_for(org_id):
            row.listed += n
    for org in shown:
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


def public_name(unit: Organization) -> str:
    """The name /stats/ shows for a unit: its short name where it has one."""
    return unit.short_name or unit.name


def busiest_units(*, contest, limit: int = 15) -> list[UnitRow]:
    """The units with the most participants, for /stats/: ties in the Vietnamese order of the
    names the page shows (`public_name`), so two units with equal figures read alphabetically
    there, and the cut at `limit` falls by the same order."""
    rows = [u for u in unit_table(contest=contest, sort="-participants") if u.participants]
    rows.sort(key=lambda r: (-r.participants, vi_sort_key(public_name(r.unit))))
    return rows[:limit]


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


def week_round(*, contest, now=None) -> Round | None:
    """«This week» on a unit officer's page: the weekly round open now, else the last one that
    has opened (so the figures of a finished week stay until the next opens). One query."""
    now = now or timezone.now()
    opened = list(
        Round.objects.filter(contest=contest, kind=RoundKind.WEEKLY, approved_at__isnull=False, opens_at__lte=now).order_by(
            "-opens_at"
        )[:5]
    )
    return next((r for r in opened if r.closes_at > now), opened[0] if opened else None)


@dataclass(frozen=True)
class Absentee:
    """A person of a unit who has not taken part: from the member list, a profile, or both."""

    full_name: str
    phone: str
    email: str
    organization_id: int
    position: str
    is_party_member: bool
    on_list: bool
    signed_up: bool
    status: str  # the member list's status (accounts.enums.MemberStatus), "" for a profile only
    user_id: int | None = None  # the account, when the person has signed up (a reminder reaches it)


def unit_absentees(*, organization: Organization, contest, round: Round | None) -> list[Absentee]:
    """The people of a unit's subtree with no finished attempt in `round` (or, without a round,
    in any weekly round of the contest): the member list and the profiles, one line per phone
    number; a listed person counts as having taken part when their account (linked by the
    invitation or by the same phone number) has. Sorted by unit, then name. Three queries."""
    done = Attempt.objects.finished().filter(round__contest=contest, round__kind=RoundKind.WEEKLY)
    done = done.filter(round=round) if round is not None else done
    done_users = done.values("user_id")
    subtree = Q(organization__path__startswith=organization.path)
    profiles = (
        Profile.objects.filter(subtree)
        .exclude(user_id__in=done_users)
        .values_list("user__full_name", "phone", "user__email", "organization_id", "position", "is_party_member", "user_id")
    )
    members = (
        Member.objects.filter(subtree)
        .exclude(user_id__in=done_users)
        .exclude(phone__in=Profile.objects.filter(user_id__in=done_users).values("phone"))
        .values_list("full_name", "phone", "email", "organization_id", "position", "is_party_member", "status", "user_id")
    )
    by_phone: dict[str, Absentee] = {}
    for name, phone, email, org_id, position, party, user_id in profiles:
        by_phone[phone] = Absentee(
            name, phone, email, org_id, position, party, on_list=False, signed_up=True, status="", user_id=user_id
        )
    for name, phone, email, org_id, position, party, status, user_id in members:
        signed_up = user_id is not None or phone in by_phone
        account = user_id if user_id is not None else (by_phone[phone].user_id if phone in by_phone else None)
        by_phone[phone] = Absentee(
            name, phone, email, org_id, position, party, on_list=True, signed_up=signed_up, status=status, user_id=account
        )
    paths = dict(Organization.objects.filter(subtree_of(organization)).values_list("pk", "path")) if by_phone else {}
    return sorted(by_phone.values(), key=lambda a: (paths.get(a.organization_id, ""), vi_sort_key(a.full_name), a.phone))


def subtree_of(organization: Organization) -> Q:
    return Q(path__startswith=organization.path)


@dataclass
class EssayRoundFigures:
    name: str
    essays: int
    judges: int
    closed: bool


@dataclass
class EssayPrizeLine:
    tier: str
    rank: int
    code: str
    title: str
    authors: str


@dataclass
class EssayFigures:
    """The writing part of a contest in figures, for the summary report."""

    submitted: int = 0
    eligible: int = 0
    ineligible: int = 0
    pending: int = 0
    reasons: list[tuple[str, int]] = field(default_factory=list)  # (IneligibleReason, essays), most frequent first
    rounds: list[EssayRoundFigures] = field(default_factory=list)
    prizes: list[EssayPrizeLine] = field(default_factory=list)  # the prizes that count, by rank
    tiers: dict[str, int] = field(default_factory=dict)
    published: int = 0


def essay_figures(*, contest) -> EssayFigures:
    """Essays received, screened (and why not eligible), each judging round's essays and judges,
    the prizes that count with their works, the essays published. Five queries."""
    from collections import Counter

    from essays.enums import JudgingStatus
    from essays.models import EssayPrize, JudgingRound
    from essays.selectors import screening_counts

    counts = screening_counts(contest=contest)
    figures = EssayFigures(**{k: counts[k] or 0 for k in ("submitted", "eligible", "ineligible", "pending")})
    reasons = Counter()
    ineligible = Essay.objects.filter(
        phase__contest=contest, status=EssayStatus.SUBMITTED, eligibility=Eligibility.INELIGIBLE
    ).values_list("screening_reasons", flat=True)
    for listed in ineligible:
        reasons.update(listed or [])
    figures.reasons = sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))
    rounds = (
        JudgingRound.objects.filter(phase__contest=contest)
        .annotate(n_essays=Count("entries", distinct=True), n_judges=Count("panel", distinct=True))
        .order_by("phase__opens_at", "order", "pk")
    )
    figures.rounds = [EssayRoundFigures(r.name, r.n_essays, r.n_judges, r.status == JudgingStatus.CLOSED) for r in rounds]
    prizes = (
        EssayPrize.objects.valid()
        .filter(essay__phase__contest=contest)
        .select_related("essay")
        .prefetch_related("essay__authors")
        .order_by("rank")
    )
    for p in prizes:
        authors = ", ".join(a.name for a in p.essay.authors.all())
        figures.prizes.append(EssayPrizeLine(p.tier, p.rank, p.essay.code, p.essay.title, authors))
        figures.tiers[p.tier] = figures.tiers.get(p.tier, 0) + 1
    figures.published = Essay.objects.filter(phase__contest=contest, published_at__isnull=False).count()
    return figures
