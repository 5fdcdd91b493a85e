"""The secretariat's figures, computed from stored attempts. Every total is the sum of its parts."""

from collections import defaultdict
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db import connection
from django.db.models import BigIntegerField, BooleanField, Count, Exists, ExpressionWrapper, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Collate
from django.utils import timezone

from accounts.collation import vi_sort_key
from accounts.enums import OrganizationKind
from accounts.models import Member, Organization, Profile
from contests.prizes import VALID_STATUSES
from essays.enums import Eligibility, EssayStatus
from essays.models import Essay
from quiz.enums import RoundKind
from quiz.figures import figures_read
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
    computed_at: object = None  # on the total row: when the figures were counted (None: counted for this page)


def weekly_table(*, contest) -> tuple[list[RoundRow], RoundRow]:
    """The seed report's weekly table (section I.2.1): one row per weekly round and a total row
    whose every figure is the sum of the weeks (participants counted per week, as «lượt người»;
    the fastest full score is the minimum), and beside the sums the distinct people across the
    weeks (`people`, `full_people_distinct`). Read from the kept figures (quiz.figures; the
    total's `computed_at` says when they were counted): two queries, the rounds and the figures."""
    rounds = {
        r.pk: r
        for r in Round.objects.filter(contest=contest, kind=RoundKind.WEEKLY, approved_at__isnull=False).order_by("number")
    }
    figures = figures_read(contest=contest, organization_ids=())
    rows = [RoundRow(round=round, **_round_figures(figures.get(pk))) for pk, round in rounds.items()]
    total = RoundRow(round=None)
    for row in rows:
        for name in ("participants", "attempts", "full_attempts", "full_people", "near_attempts", "near_people"):
            setattr(total, name, getattr(total, name) + getattr(row, name))
    fastest = [r.fastest_full_ms for r in rows if r.fastest_full_ms is not None]
    total.fastest_full_ms = min(fastest) if fastest else None
    whole = figures.get(None)
    total.people = whole.participants
    total.full_people_distinct = whole.full_people
    total.computed_at = figures.computed_at
    return rows, total


def _round_figures(row) -> dict:
    return {name: getattr(row, name) for name in ("participants", "attempts", "full_attempts", "full_people",
                                                  "near_attempts", "near_people", "fastest_full_ms")}  # fmt: skip


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
    computed_at: object = None  # when the quiz's figures were counted (quiz.figures)

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
    under two of them, one inside the other, counts for both). One query; each unit's roots found
    by the prefixes of its path (never every unit against every root: the secretariat's units
    page gives a thousand roots at national scale)."""
    if not units:
        return {}
    units_at: dict[str, list[Organization]] = defaultdict(list)
    for unit in units:
        units_at[unit.path].append(unit)
    inside = Organization.objects.all() if len(units) > 20 else Organization.objects.filter(
        reduce(or_, (Q(path__startswith=u.path) for u in units))
    )  # fmt: skip
    found = {}
    for pk, path in inside.values_list("pk", "path"):
        cuts = [i + 1 for i, ch in enumerate(path) if ch == "/"]
        roots = [unit for cut in cuts for unit in units_at.get(path[:cut], ())] + units_at.get("", [])
        if roots:
            found[pk] = roots
    return found


def unit_table(*, contest, sort: str = "-attempts", units: list[Organization] | None = None, round=None) -> list[UnitRow]:
    """Quiz participation and essays rolled up to the top units, sortable so the laggards show.
    Given `units` (a unit officer's), a row for each of them instead, each rolling up its own
    subtree; given `round`, the quiz figures of that week only (no essays). The quiz's figures
    are the kept ones (quiz.figures). Five queries whatever the number of units, attempts,
    essays or members."""
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

    # The quiz's figures, kept per unit (quiz.figures): each shown unit's branch; a unit that rolls
    # up to itself without being shown (the bloc) counts its own attempts only.
    roots = {root.pk: root for roots in roots_of.values() for root in roots}
    figures = figures_read(contest=contest, round_ids=[] if round is None else [round.pk], organization_ids=list(roots))
    shown_ids = {u.pk for u in shown}
    for root_id, root in roots.items():
        figure = figures.get(None if round is None else round.pk, root_id, subtree=root_id in shown_ids)
        if figure.attempts:
            row = rows.setdefault(root_id, UnitRow(unit=root))
            row.attempts, row.full_attempts, row.participants = figure.attempts, figure.full_attempts, figure.participants
            row.computed_at = figures.computed_at
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
    rounds only, from the kept figures (quiz.figures). One query."""
    import datetime

    figures = figures_read(contest=contest, organization_ids=())
    days, hours = defaultdict(int), defaultdict(int)
    for (round_id, org_id, _subtree), row in figures.rows.items():
        if round_id is not None and org_id is None:  # the timeline is kept for weekly rounds only
            for day, n in (row.timeline or {}).get("days", {}).items():
                days[datetime.date.fromisoformat(day)] += n
            for hour, n in (row.timeline or {}).get("hours", {}).items():
                hours[int(hour)] += n
    return sorted(days.items()), [(hour, hours.get(hour, 0)) for hour in range(24)]


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


ABSENTEE_FIELDS = ("full_name", "phone", "email", "organization_id", "position", "is_party_member", "on_list",
                   "signed_up", "status", "user_id")  # fmt: skip


def _absent(*, organization: Organization, contest, round: Round | None):
    """The profiles and the member lines of the subtree with no finished attempt in `round` (or
    in any weekly round of the contest), and, for a member line, its absent profile with the same
    phone number (a subquery on OuterRef("phone"))."""
    done = Attempt.objects.finished().filter(user_id=OuterRef("user_id"))
    if round is not None:
        done = done.filter(round_id=round.pk)
    else:
        done = done.filter(round__contest=contest, round__kind=RoundKind.WEEKLY)
    # Each test is an index probe per line of the subtree (attempts by round and user, profiles
    # and members by phone), never a scan of every attempt or profile.
    subtree = Q(organization__path__startswith=organization.path)
    absent_profiles = Profile.objects.filter(subtree).filter(~Exists(done)).order_by()
    phone_took_part = Profile.objects.filter(phone=OuterRef("phone")).filter(Exists(done))
    absent_members = Member.objects.filter(subtree).filter(~Exists(done)).filter(~Exists(phone_took_part)).order_by()
    return absent_profiles, absent_members, absent_profiles.filter(phone=OuterRef("phone"))


def unsigned_absentees(*, organization: Organization, contest, round: Round | None):
    """The member lines among `absentees_query`'s people who have no account (neither linked by
    an invitation nor with the same phone number): a reminder cannot reach them, an invitation
    can (accounts.invitations)."""
    _profiles, absent_members, same_phone = _absent(organization=organization, contest=contest, round=round)
    return absent_members.filter(user_id__isnull=True).filter(~Exists(same_phone))


def absentees_query(*, organization: Organization, contest, round: Round | None):
    """The people of a unit's subtree with no finished attempt in `round` (or, without a round,
    in any weekly round of the contest), as one query of rows (dicts of ABSENTEE_FIELDS) that the
    database sorts, counts and pages: the member list and the profiles, one line per phone
    number (a listed person's line wins over their profile); a listed person counts as having
    taken part when their account (linked by the invitation or by the same phone number) has.
    Sorted by unit (its path), then name (Vietnamese collation on PostgreSQL), then phone."""
    absent_profiles, absent_members, same_phone = _absent(organization=organization, contest=contest, round=round)

    def name(field):
        return Collate(field, "vi-x-icu") if connection.vendor == "postgresql" else F(field)

    profiles = (
        absent_profiles.filter(~Exists(absent_members.filter(phone=OuterRef("phone"))))
        .annotate(
            a_name=F("user__full_name"), a_email=F("user__email"), a_on_list=Value(False), a_signed_up=Value(True),
            a_status=Value(""), a_user=Cast("user_id", BigIntegerField()), a_path=F("organization__path"),
            a_sort=name("user__full_name"),
        )
        .values_list("a_name", "phone", "a_email", "organization_id", "position", "is_party_member", "a_on_list",
                     "a_signed_up", "a_status", "a_user", "a_path", "a_sort")
    )  # fmt: skip
    members = absent_members.annotate(
        a_name=F("full_name"), a_email=F("email"), a_on_list=Value(True),
        a_signed_up=ExpressionWrapper(Q(user_id__isnull=False) | Exists(same_phone), output_field=BooleanField()),
        a_status=F("status"),
        a_user=Coalesce("user_id", Subquery(same_phone.values("user_id")[:1]), output_field=BigIntegerField()),
        a_path=F("organization__path"), a_sort=name("full_name"),
    ).values_list("a_name", "phone", "a_email", "organization_id", "position", "is_party_member", "a_on_list",
                  "a_signed_up", "a_status", "a_user", "a_path", "a_sort")  # fmt: skip
    return profiles.union(members, all=True).order_by("a_path", "a_sort", "phone")


def _absentee(row) -> "Absentee":
    return Absentee(*row[:10])


def unit_absentees(*, organization: Organization, contest, round: Round | None):
    """Every absentee of the unit's subtree (`absentees_query`), streamed a chunk at a time."""
    for row in absentees_query(organization=organization, contest=contest, round=round).iterator(chunk_size=2000):
        yield _absentee(row)


def unit_absentees_page(*, organization: Organization, contest, round: Round | None, number, per_page: int):
    """One page of the unit's absentees (a Django Page of `Absentee`): the database counts and
    slices; two queries."""
    from django.core.paginator import Paginator

    page = Paginator(absentees_query(organization=organization, contest=contest, round=round), per_page).get_page(number)
    page.object_list = [_absentee(row) for row in page.object_list]
    return page


def unit_absentees_count(*, organization: Organization, contest, round: Round | None) -> int:
    return absentees_query(organization=organization, contest=contest, round=round).count()


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
