"""Integrity review before prizes: cases for the secretariat to clear or disqualify."""

import datetime
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import TruncHour
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Organization, Profile, User
from accounts.selectors import organization_labels
from contests.decisions import Action, decision_record
from quiz.enums import PrizeStatus
from quiz.models import Attempt, Prize, Round, RoundEntry
from quiz.services.prizes import round_prizes_redraft

from . import harvesting
from .models import IntegrityCase, IntegrityDecision, IntegrityScan

FAST_FULL_SECONDS = getattr(settings, "INTEGRITY_FAST_FULL_SECONDS", 30)
# A prize won with less than this share of the questions right is worth a second look.
PRIZE_LOW_SHARE = getattr(settings, "INTEGRITY_PRIZE_LOW_SHARE", 0.75)
BURST_ATTEMPTS, BURST_ACCOUNTS = 30, 5
# The public's votes on essays (vote_bursts): per address an hour, and per /24 block an hour.
VOTE_BURST_VOTES = getattr(settings, "INTEGRITY_VOTE_BURST_VOTES", 20)
VOTE_BURST_NUMBERS = getattr(settings, "INTEGRITY_VOTE_BURST_NUMBERS", 5)
VOTE_BLOCK_NUMBERS = getattr(settings, "INTEGRITY_VOTE_BLOCK_NUMBERS", 15)
# How often the beat finds the cases again (audit.tasks.integrity_scan_contests): the staleness
# bound of every page that shows them. A scan older than twice this is shown as late.
SCAN_MINUTES = getattr(settings, "INTEGRITY_SCAN_MINUTES", 10)


@dataclass
class Case:
    key: str
    kind: str
    description: str
    user_ids: list[int]
    decision: IntegrityDecision | None = None
    # The harvesting patterns (`audit.harvesting`) also name the account and the round, give
    # their evidence line by line and list the attempts (there is no staff page for an attempt).
    account: str = ""
    round_name: str = ""
    evidence: list[str] = field(default_factory=list)
    attempts: list = field(default_factory=list)
    # For display (`with_details`): who the accounts are and which weeks the case concerns.
    accounts: list["CaseAccount"] = field(default_factory=list)
    weeks: list["CaseWeek"] = field(default_factory=list)


@dataclass(frozen=True)
class CaseAccount:
    user_id: int
    name: str
    email: str
    phone: str
    unit: str


@dataclass(frozen=True)
class CaseWeek:
    round_id: int
    number: int
    name: str


def with_details(*, contest, cases: list[Case]) -> list[Case]:
    """For the review page: each case's accounts (name, e-mail, phone, unit) and its weeks —
    the weeks of the fast full scores for a fast case, the hour's week for a burst, the round of
    a harvesting pattern, and the weeks the accounts played in for a shared phone or name.
    Four queries whatever the number of cases."""
    user_ids = {uid for case in cases for uid in case.user_ids}
    if not user_ids:
        return cases
    rows = list(
        User.objects.filter(pk__in=user_ids).values_list(
            "pk", "full_name", "email", "profile__phone", "profile__organization_id", "profile__organization__path"
        )
    )
    # Each unit under its full name (its party committee › the cell), as on every other page.
    units = organization_labels(Organization(pk=row[4], path=row[5]) for row in rows if row[4] is not None)
    accounts = {row[0]: CaseAccount(*row[:4], unit=units.get(row[4], "")) for row in rows}
    finished = Attempt.objects.finished().filter(round__contest=contest, user_id__in=user_ids)
    played, fast = defaultdict(set), defaultdict(set)
    rounds: dict[int, CaseWeek] = {}
    for user_id, round_id, number, name, score, questions, duration in finished.values_list(
        "user_id", "round_id", "round__number", "round__name", "score", "question_count", "duration_ms"
    ).distinct():
        rounds[round_id] = CaseWeek(round_id, number, name)
        played[user_id].add(round_id)
        if score == questions and duration is not None and duration < FAST_FULL_SECONDS * 1000:
            fast[user_id].add(round_id)
    by_name = {week.name: week for week in rounds.values()}
    for case in cases:
        case.accounts = [accounts[uid] for uid in case.user_ids if uid in accounts]
        if case.round_name:
            ids = {by_name[case.round_name].round_id} if case.round_name in by_name else set()
        elif case.kind.startswith("vote_"):
            ids = set()  # votes on essays: no week of the quiz
        elif case.kind == "ip":
            ids = set.intersection(*(played[uid] for uid in case.user_ids)) if case.user_ids else set()
        else:
            source = fast if case.kind == "fast" else played
            ids = set().union(*(source[uid] for uid in case.user_ids))
        case.weeks = sorted((rounds[i] for i in ids), key=lambda w: (w.number, w.round_id))
    return cases


def cases(*, contest) -> list[Case]:
    """Flagged cases: full scores (every drawn question right: AttemptQuerySet.full_score) faster
    than a person can read the questions, several accounts with one phone number or one name and
    unit, bursts of attempts from one address, and the
    patterns of harvesting the answer key (audit.harvesting: probes then a high score,
    attempts far above the round's median, attempts that differ from the previous one in a
    single answer), and bursts of the public's votes on essays (`vote_bursts`). Five queries, one per
    burst, at most four for harvesting, two for the votes and one per vote case."""
    finished = Attempt.objects.finished().filter(round__contest=contest)
    found: list[Case] = []
    fast = (
        finished.full_score()
        .filter(duration_ms__lt=FAST_FULL_SECONDS * 1000)
        .values("user_id", "user__full_name")
        .annotate(n=Count("id"))
        .order_by("user__full_name")
    )
    for row in fast:
        text = _("%(name)s: %(n)d bài điểm tuyệt đối dưới %(s)d giây")
        values = {"name": row["user__full_name"], "n": row["n"], "s": FAST_FULL_SECONDS}
        found.append(Case(f"fast:{row['user_id']}", "fast", text % values, [row["user_id"]]))
    players = finished.values("user_id")
    by_phone, by_name = defaultdict(list), defaultdict(list)
    for user_id, phone, name, unit in Profile.objects.filter(user_id__in=players).values_list(
        "user_id", "phone", "user__full_name", "organization__name"
    ):
        if phone:  # an anonymized profile has none: never one shared «empty» phone
            by_phone[phone].append(user_id)
        by_name[(name.casefold(), unit)].append(user_id)
    for phone, ids in sorted(by_phone.items()):
        if len(ids) > 1:
            text = _("%(n)d tài khoản cùng số điện thoại %(p)s") % {"n": len(ids), "p": phone}
            found.append(Case(f"phone:{phone}", "phone", text, ids))
    for (name, unit), ids in sorted(by_name.items()):
        if len(ids) > 1:
            text = _("%(n)d tài khoản cùng họ tên «%(name)s» ở %(unit)s") % {"n": len(ids), "name": name.title(), "unit": unit}
            found.append(Case(f"name:{name}|{unit}", "name", text, ids))
    bursts = (
        finished.exclude(ip_address=None)
        .annotate(hour=TruncHour("started_at"))
        .values("ip_address", "hour")
        .annotate(n=Count("id"), accounts=Count("user", distinct=True))
        .filter(n__gte=BURST_ATTEMPTS, accounts__gte=BURST_ACCOUNTS)
    )
    for row in bursts:
        hour = (row["hour"], row["hour"] + datetime.timedelta(hours=1))
        same_hour = finished.filter(ip_address=row["ip_address"], started_at__gte=hour[0], started_at__lt=hour[1])
        ids = list(same_hour.values_list("user_id", flat=True).distinct()[:200])
        text = _("%(n)d bài từ địa chỉ %(ip)s trong một giờ (%(a)d tài khoản)") % {
            "n": row["n"], "ip": row["ip_address"], "a": row["accounts"],
        }  # fmt: skip
        found.append(Case(f"ip:{row['ip_address']}@{row['hour']:%Y-%m-%dT%H}", "ip", text, ids))
    found.extend(vote_bursts(contest=contest))
    for f in harvesting.findings(contest=contest):
        found.append(
            Case(f.key, f.kind, f.description, [f.user_id], account=f.account, round_name=f.round_name,
                 evidence=f.evidence, attempts=f.attempts)
        )  # fmt: skip
    decisions = {d.key: d for d in IntegrityDecision.objects.filter(contest=contest).select_related("decided_by")}
    for case in found:
        case.decision = decisions.get(case.key)
    return found


def vote_bursts(*, contest) -> list[Case]:
    """Bursts of the public's votes («bình chọn», essays.votes): in one hour, one address casting
    `VOTE_BURST_VOTES` votes or more from `VOTE_BURST_NUMBERS` numbers or more, or one IPv4 /24
    block with `VOTE_BLOCK_NUMBERS` numbers or more from several addresses. Scripts voting with
    bought or borrowed numbers look like this; a meeting room behind one NAT may too, so it is a
    case to look at, never a vote removed by itself. Two queries, and one per case for its voters
    (at most 200 each)."""
    from essays.models import EssayVote
    from essays.votes import bursts

    by_address, by_block = bursts(
        contest=contest, per_address=VOTE_BURST_VOTES, per_block=VOTE_BLOCK_NUMBERS, numbers=VOTE_BURST_NUMBERS
    )
    votes = EssayVote.objects.filter(essay__phase__contest=contest)
    found = []
    for row in by_address:
        hour = (row["hour"], row["hour"] + datetime.timedelta(hours=1))
        ids = list(
            votes.filter(ip_address=row["ip_address"], created_at__gte=hour[0], created_at__lt=hour[1], voter__isnull=False)
            .values_list("voter_id", flat=True)
            .distinct()[:200]
        )
        at = timezone.localtime(row["hour"]).strftime("%H:00 %d/%m/%Y")
        text = _("%(n)d lượt bình chọn bài viết từ địa chỉ %(ip)s trong một giờ (%(p)d số điện thoại), lúc %(at)s") % {
            "n": row["n"], "ip": row["ip_address"], "p": row["numbers"], "at": at,
        }  # fmt: skip
        found.append(Case(f"vote_ip:{row['ip_address']}@{row['hour']:%Y-%m-%dT%H}", "vote_ip", text, ids))
    for row in by_block:
        hour = (row["hour"], row["hour"] + datetime.timedelta(hours=1))
        prefix = row["block"].removesuffix("0/24")
        ids = list(
            votes.filter(ip_address__startswith=prefix, created_at__gte=hour[0], created_at__lt=hour[1], voter__isnull=False)
            .values_list("voter_id", flat=True)
            .distinct()[:200]
        )
        text = _(
            "%(p)d số điện thoại bình chọn bài viết từ dải địa chỉ %(block)s (%(a)d địa chỉ, %(n)d lượt) "
            "trong một giờ, lúc %(at)s"
        ) % {
            "p": row["numbers"], "block": row["block"], "a": row["addresses"], "n": row["n"],
            "at": timezone.localtime(row["hour"]).strftime("%H:00 %d/%m/%Y"),
        }  # fmt: skip
        found.append(Case(f"vote_block:{row['block']}@{row['hour']:%Y-%m-%dT%H}", "vote_block", text, ids))
    return found


# --- The stored scan --------------------------------------------------------------------------------
# Finding the cases reads every finished attempt of the contest, and the answers of those who
# played far more than most: seconds at the seed's size, minutes at a national one. So they are
# found by a task and stored (IntegrityScan); the pages read the stored cases, with the time they
# were found, and the decisions live (one query each).


def _case_data(case: Case) -> dict:
    return {
        "account": case.account, "round_name": case.round_name, "evidence": [str(line) for line in case.evidence],
        "attempts": [asdict(line) | {"started_at": line.started_at.isoformat()} for line in case.attempts],
    }  # fmt: skip


def _case_from(row: IntegrityCase, user_ids: list[int]) -> Case:
    data = row.data
    attempts = [
        harvesting.AttemptLine(**(line | {"started_at": parse_datetime(line["started_at"])})) for line in data.get("attempts", [])
    ]
    return Case(
        row.key, row.kind, row.description, user_ids, account=data.get("account", ""),
        round_name=data.get("round_name", ""), evidence=data.get("evidence", []), attempts=attempts,
    )  # fmt: skip


@transaction.atomic
def scan_run(*, contest) -> IntegrityScan:
    """Find the contest's cases (`cases`) and store them, replacing the last scan's."""
    started, clock = timezone.now(), time.perf_counter()
    found = cases(contest=contest)
    scan, _created = IntegrityScan.objects.update_or_create(
        contest=contest, defaults={"started_at": started, "seconds": time.perf_counter() - clock}
    )
    scan.found.all().delete()
    rows = IntegrityCase.objects.bulk_create(
        [IntegrityCase(scan=scan, key=c.key, kind=c.kind, description=c.description, data=_case_data(c)) for c in found],
        batch_size=2000,
    )
    through = IntegrityCase.users.through
    through.objects.bulk_create(
        [through(integritycase_id=row.pk, user_id=uid) for row, case in zip(rows, found) for uid in set(case.user_ids)],
        batch_size=5000,
    )
    return scan


# The kinds of case, in the order the review lists them, with the names of its filter.
KINDS = [
    ("fast", gettext_lazy("Điểm tuyệt đối quá nhanh")), ("phone", gettext_lazy("Cùng số điện thoại")),
    ("name", gettext_lazy("Cùng họ tên và đơn vị")), ("ip", gettext_lazy("Nhiều bài từ một địa chỉ")),
    ("harvest", gettext_lazy("Bài ngắn điểm thấp rồi điểm cao")), ("many", gettext_lazy("Số bài vượt xa trung vị")),
    ("probe", gettext_lazy("Làm lại chỉ đổi một câu")), ("vote_ip", gettext_lazy("Bình chọn dồn dập từ một địa chỉ")),
    ("vote_block", gettext_lazy("Bình chọn dồn dập từ một dải địa chỉ")),
]  # fmt: skip


def kinds_shown(counts: dict[str, int]) -> list[tuple[str, str, int]]:
    """The review's filter: (kind, its name, how many) for each kind the scan found."""
    names = dict(KINDS)
    order = {kind: i for i, (kind, _name) in enumerate(KINDS)}
    return [(kind, names.get(kind, kind), n) for kind, n in sorted(counts.items(), key=lambda kv: order.get(kv[0], 99))]


# A round is scanned again for this long after it closes: submits arrive within the grace.
LATE_SUBMITS = datetime.timedelta(hours=1)


def contests_to_scan(*, now, every: datetime.timedelta):
    """The contests the beat scans: not archived, with a round or a public vote on essays open
    now or closed since their last scan, or not scanned for `every`."""
    from contests.enums import ContestStatus
    from contests.models import Contest
    from essays.models import EssayPhase

    last = {scan.contest_id: scan.started_at for scan in IntegrityScan.objects.all()}
    started = Q(rounds__opens_at__lte=now) | Q(essay_phases__vote_enabled=True, essay_phases__vote_opens_at__lte=now)
    for contest in Contest.objects.exclude(status=ContestStatus.ARCHIVED).filter(started).distinct():
        since = last.get(contest.pk)
        after = (since or now) - LATE_SUBMITS
        recent = (
            Round.objects.filter(contest=contest, closes_at__gte=after).exists()
            or EssayPhase.objects.filter(contest=contest, vote_enabled=True, vote_closes_at__gte=after).exists()
        )
        if since is None or since < now - every or recent:
            yield contest


def scan_late(scan: IntegrityScan, *, now=None) -> bool:
    """Whether a scan is older than the beat should let it be (it has stopped, or is behind)."""
    return scan.started_at < (now or timezone.now()) - datetime.timedelta(minutes=2 * SCAN_MINUTES)


def scan_for(*, contest, after=None) -> IntegrityScan:
    """The contest's last scan; a new one first when there is none, or when the last one started
    before `after`: a round's results are final once committed (quiz.receipts.round_commit), and
    its winners and its publication are checked against a scan that has seen all its attempts."""
    scan = IntegrityScan.objects.filter(contest=contest).first()
    if scan is None or (after is not None and scan.started_at < after):
        scan = scan_run(contest=contest)
    return scan


def _with_decisions(*, contest, rows) -> list[Case]:
    """Cases from stored rows, each with its users and its decision (two queries)."""
    rows = list(rows)
    through = IntegrityCase.users.through
    users = defaultdict(list)
    for case_id, user_id in through.objects.filter(integritycase_id__in=[r.pk for r in rows]).values_list(
        "integritycase_id", "user_id"
    ):
        users[case_id].append(user_id)
    found = [_case_from(row, sorted(users[row.pk])) for row in rows]
    keys = [c.key for c in found]
    decisions = {d.key: d for d in IntegrityDecision.objects.filter(contest=contest, key__in=keys).select_related("decided_by")}
    for case in found:
        case.decision = decisions.get(case.key)
    return found


def _decided(contest):
    return Exists(IntegrityDecision.objects.filter(contest=contest, key=OuterRef("key")))


def scanned_page(*, contest, kind: str = "", state: str = "", page=1, per_page: int = 50):
    """A page of the review: the last scan's cases of one kind or all, open or decided or all,
    with their decisions, the scan and the count of cases of each kind (a constant number of
    queries whatever the number of cases)."""
    scan = scan_for(contest=contest)
    rows = IntegrityCase.objects.filter(scan=scan)
    kinds = dict(rows.values_list("kind").annotate(n=Count("id")).order_by())
    if kind:
        rows = rows.filter(kind=kind)
    if state in ("open", "decided"):
        rows = rows.annotate(decided=_decided(contest)).filter(decided=state == "decided")
    paginator = Paginator(rows.order_by("kind", "id"), per_page)
    page_obj = paginator.get_page(page)
    page_obj.object_list = _with_decisions(contest=contest, rows=page_obj.object_list)
    return page_obj, scan, kinds


def scanned_case(*, contest, key: str) -> Case | None:
    """One case of the last scan, by its key, with its decision (the review's decision form)."""
    row = IntegrityCase.objects.filter(scan=scan_for(contest=contest), key=key).first()
    return _with_decisions(contest=contest, rows=[row])[0] if row is not None else None


def final_after(round) -> datetime.datetime | None:
    """From when a scan has seen all of a weekly round's attempts: its commitment (none before)."""
    commitment = getattr(round, "commitment", None) if round is not None else None
    return commitment.created_at if commitment is not None else None


@transaction.atomic
def decide(*, contest, case: Case, by, verdict: str, reason: str) -> IntegrityDecision:
    """Clear a case, or disqualify its accounts from the ranking of every round of the contest
    whose results are not yet published (a published result changes only through
    `prize_amend`). A drafted prize list follows at once: a disqualified winner's prize passes
    to the next contestant; clearing a case restores its accounts — unless another disqualifying
    decision still covers them — and the list is drafted again, so they get their prize back."""
    if not reason.strip():
        raise ValueError(_("Cần ghi lý do cho quyết định."))
    if verdict not in IntegrityDecision.Verdict.values:
        raise ValueError(_("Quyết định không hợp lệ; vui lòng chọn một trong các quyết định có sẵn."))
    decision, _created = IntegrityDecision.objects.update_or_create(
        contest=contest, key=case.key, defaults={"verdict": verdict, "reason": reason.strip(), "decided_by": by}
    )
    decision.users.set(User.objects.filter(pk__in=case.user_ids))
    emails = list(User.objects.filter(pk__in=case.user_ids).order_by("email").values_list("email", flat=True))
    decision_record(
        action=Action.DISQUALIFY if verdict == IntegrityDecision.Verdict.DISQUALIFY else Action.CLEAR,
        obj=decision, by=by, reason=reason, contest=contest, data={"case": case.description, "accounts": emails},
    )  # fmt: skip
    unpublished = Round.objects.filter(contest=contest, results_published_at__isnull=True)
    entries = RoundEntry.objects.filter(round__in=unpublished, user_id__in=case.user_ids)
    if verdict == IntegrityDecision.Verdict.DISQUALIFY:
        entries.update(disqualified=True, disqualified_reason=reason.strip()[:500])
    else:
        still_out = set(
            IntegrityDecision.objects.filter(contest=contest, verdict=IntegrityDecision.Verdict.DISQUALIFY)
            .exclude(pk=decision.pk)
            .filter(users__in=case.user_ids)
            .values_list("users", flat=True)
        )
        # An entry whose prize was found not valid stays out of that round's ranking whatever a
        # case says (quiz.services.prizes.QuizPrizes.on_found_invalid).
        invalid = Prize.objects.filter(round_id=OuterRef("round_id"), user_id=OuterRef("user_id"), status=PrizeStatus.INVALID)
        entries.exclude(user_id__in=still_out).exclude(Exists(invalid)).update(disqualified=False, disqualified_reason="")
    for round in unpublished.filter(pk__in=entries.values("round_id")).distinct():
        round_prizes_redraft(round=round)
    return decision


def open_cases_by_user(*, contest, user_ids, after=None) -> dict[int, list[Case]]:
    """The undecided cases about each of these people (the winners pages show them beside the
    verdict; publication waits on them: awards.publication), from the stored scan (`scanned`,
    `after` as there)."""
    wanted = set(user_ids)
    found: dict[int, list[Case]] = defaultdict(list)
    if not wanted:
        return found
    scan = scan_for(contest=contest, after=after)
    rows = (
        IntegrityCase.objects.filter(scan=scan, users__in=wanted)
        .annotate(decided=_decided(contest))
        .filter(decided=False)
        .distinct()
        .order_by("kind", "id")
    )
    for case in _with_decisions(contest=contest, rows=rows):
        for uid in wanted.intersection(case.user_ids):
            found[uid].append(case)
    return found


def winner_warnings(*, round, prizes) -> dict[int, list[str]]:
    """What the secretariat should look at before verifying a winner: a prize scored low for a
    prize (under PRIZE_LOW_SHARE of the questions), a best attempt faster than a person reads
    the questions (under FAST_FULL_SECONDS), and winners of the round sharing a phone number.
    Prizes found not valid are left out. Reads only what the winners page has loaded."""
    listed = [p for p in prizes if p.status != PrizeStatus.INVALID]
    by_phone = defaultdict(list)
    for p in listed:
        phone = getattr(getattr(p.user, "profile", None), "phone", "")
        if phone:
            by_phone[phone].append(p)
    questions = round.questions_per_attempt or 0
    warnings: dict[int, list[str]] = {}
    for p in listed:
        found = []
        score, duration = p.entry.score if p.entry else None, p.entry.duration_ms if p.entry else None
        if score is not None and questions and score < PRIZE_LOW_SHARE * questions:
            found.append(
                _("Điểm thấp cho một giải: %(score)d/%(n)d câu đúng (dưới %(pct)d%%).")
                % {"score": score, "n": questions, "pct": int(PRIZE_LOW_SHARE * 100)}
            )
        if duration is not None and duration < FAST_FULL_SECONDS * 1000:
            found.append(
                _("Làm bài quá nhanh: %(s)s giây (dưới %(limit)d giây).")
                % {"s": f"{duration / 1000:.1f}".replace(".", ","), "limit": FAST_FULL_SECONDS}
            )
        phone = getattr(getattr(p.user, "profile", None), "phone", "")
        others = [o for o in by_phone.get(phone, []) if o.pk != p.pk]
        if others:
            names = ", ".join(f"{o.rank}. {o.user.full_name}" for o in others)
            found.append(_("Cùng số điện thoại %(phone)s với: %(names)s.") % {"phone": phone, "names": names})
        if found:
            warnings[p.pk] = found
    return warnings
