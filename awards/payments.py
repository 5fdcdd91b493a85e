"""The award decision and the payment list, computed once: which prizes are paid, to whom, how
much, and the totals per tier (the formatting is `awards.award_files`; the pages `award_views`).

- **Which prizes**: the verified, valid prizes of the lists that are `fully_verified`
  (`contests.prizes`): a weekly round's list, or the writing contest's prizes of one phase. A
  list with a prize still awaiting its verdict is left out whole and named (`AwardList.not_ready`),
  so a decision never carries half a week. With the writing contest come the readers' vote
  prizes («Giải bình chọn») that count (`essays.votes.vote_prizes_counting`), one list per phase,
  priced by the plan's tier «Giải bình chọn» of the writing contest.
- **How much**: the prize plan's amounts (`PrizeAmount`, per contest, part and tier, set by the
  organizers in the admin). A tier with prizes and no amount is named (`AwardList.missing_amounts`)
  and both files are refused until it has one (`AwardList.problem`): never a prize paid as 0.
- **Who**: a quiz prize is the winner's; an essay prize is awarded to its authors and paid to
  its submitter (one payment per prize, as winners' details are asked: `awards.winner_details`).
- **Order**: list by list (the weeks in order, then the writing contest's phases), tier by tier,
  then by name in Vietnamese order (`accounts.collation.vi_name_key`).
- **Paying**: a winner whose details are missing, or lack an account or a bank, is never a
  transfer row with a blank account: `payment_problem` says why, and the workbook lists them apart.
  The transfer text is `transfer_content` (no diacritics, a bank's safe characters, ≤ 140).
- **Every download** is an `AwardDownload` row (who, when, which file, scope, count, total:
  `award_download_record`); the payment list's looks at the details are logged by
  `winner_details.details_for_staff` (where «payments»).
"""

import re
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.collation import vi_name_key
from accounts.selectors import organization_labels
from contests.enums import PrizeStatus
from contests.prizes import fully_verified
from contests.sms import unaccented
from essays.models import EssayPrize
from essays.votes import vote_prizes_counting
from quiz.enums import RoundKind
from quiz.models import Prize, Round

from .models import AWARD_TIERS, VOTE_TIER, AwardDownload, AwardPart, PrizeAmount, WinnerDetails, tier_label

ALL, ESSAYS, ROUND_PREFIX = "all", "essays", "round-"
TIER_ORDER = {tier: index for index, (tier, _label) in enumerate(AWARD_TIERS)}
# Which prize a line pays, as winners' details name it (awards.winner_details' parts).
QUIZ, ESSAY, VOTE = "quiz", "essay", "vote"
MAX_TRANSFER_CONTENT = 140  # what Vietnamese banks accept in a transfer's content, at most
_TRANSFER_SAFE = re.compile(r"[^A-Za-z0-9 .,]+")


class AwardError(Exception):
    """The files cannot be made now; `message` says why, in Vietnamese."""

    def __init__(self, message):
        self.message = str(message)
        super().__init__(self.message)


@dataclass(frozen=True)
class Scope:
    """Which prizes a decision covers: both parts (ALL), one weekly round, or the writing contest."""

    key: str
    label: str
    round: Round | None = None

    @property
    def quiz(self) -> bool:
        return self.key != ESSAYS

    @property
    def essays(self) -> bool:
        return self.key in (ALL, ESSAYS)


def scopes(*, contest) -> list[Scope]:
    """What the page offers: both parts, each weekly round that has prizes, the writing contest."""
    rounds = Round.objects.filter(contest=contest, kind=RoundKind.WEEKLY, prizes__isnull=False).distinct().order_by("number")
    return [
        Scope(ALL, _("Cả hai phần thi")),
        *[Scope(f"{ROUND_PREFIX}{r.pk}", r.name, r) for r in rounds],
        Scope(ESSAYS, str(AwardPart.ESSAY.label)),
    ]


def scope_for(*, contest, key: str | None) -> Scope | None:
    """The scope named by `key` (a query parameter: hostile), or None when it names nothing of
    this contest. Empty: both parts."""
    key = (key or ALL)[:30]
    if key == ALL:
        return Scope(ALL, _("Cả hai phần thi"))
    if key == ESSAYS:
        return Scope(ESSAYS, str(AwardPart.ESSAY.label))
    number = key.removeprefix(ROUND_PREFIX)
    if key.startswith(ROUND_PREFIX) and number.isdigit() and len(number) < 12:
        round = Round.objects.filter(pk=int(number), contest=contest, kind=RoundKind.WEEKLY).first()
        if round is not None:
            return Scope(key, round.name, round)
    return None


@dataclass
class AwardLine:
    """One prize in the decision's annex and the payment list."""

    part: str  # AwardPart
    prize: object  # quiz.Prize, essays.EssayPrize or essays.VotePrize
    group: str  # the list it belongs to: the round's name, the writing contest's phase
    tier: str
    name: str  # who is awarded: the winner, or the essay's authors
    unit: str
    payee: object  # who is paid (the winner; the essay's submitter)
    amount: int | None
    details: WinnerDetails | None = None  # sealed: never opened here
    group_index: int = 0  # the list's place: the weeks in order, the writing contest's phases, their vote prizes
    source: str = QUIZ  # QUIZ, ESSAY or VOTE: which prize model, as winners' details name it

    @property
    def tier_label(self) -> str:
        return tier_label(self.tier)

    @property
    def phone(self) -> str:
        profile = getattr(self.payee, "profile", None)
        return getattr(profile, "phone", "") or ""


@dataclass
class TierTotal:
    part: str
    tier: str
    amount: int | None
    count: int = 0

    @property
    def tier_label(self) -> str:
        return tier_label(self.tier)

    @property
    def label(self) -> str:
        return f"{AwardPart(self.part).label} – {self.tier_label}"

    @property
    def total(self) -> int | None:
        return None if self.amount is None else self.amount * self.count


@dataclass
class AwardList:
    contest: object
    scope: Scope
    lines: list[AwardLine] = field(default_factory=list)
    not_ready: list[tuple[str, int]] = field(default_factory=list)  # (the list, its drafts)
    totals: list[TierTotal] = field(default_factory=list)
    plan: list[PrizeAmount] = field(default_factory=list)  # the contest's amounts, as set

    @property
    def missing_amounts(self) -> list[TierTotal]:
        return [t for t in self.totals if t.amount is None]

    @property
    def total(self) -> int:
        return sum(t.total or 0 for t in self.totals)

    @property
    def problem(self) -> str | None:
        """Why neither file can be made now (a Vietnamese sentence), or None."""
        if self.missing_amounts:
            names = ", ".join(t.label for t in self.missing_amounts)
            return _(
                "Chưa có mức thưởng cho: %(tiers)s. Ban Tổ chức cần nhập mức thưởng (trang quản trị, «Mức thưởng») "
                "trước khi lập quyết định và danh sách chi trả; không giải nào được tính 0 đồng."
            ) % {"tiers": names}
        if self.scope.round is not None and self.not_ready:
            return _("Danh sách giải của %(name)s chưa được xác minh hết; chưa thể lập quyết định khen thưởng.") % {
                "name": self.scope.round.name
            }
        if not self.lines:
            return _("Chưa có giải nào đã xác minh trong phạm vi này; chưa có gì để khen thưởng.")
        return None


def _essay_name(prize) -> str:
    authors = [a.name for a in sorted(prize.essay.authors.all(), key=lambda a: (a.order, a.pk))]
    return ", ".join(authors) or prize.essay.submitter.full_name


def award_list(*, contest, scope: Scope) -> AwardList:
    """The verified prizes of the scope with their amounts and totals (module docstring). A
    constant number of queries, whatever the number of prizes."""
    result = AwardList(contest=contest, scope=scope)
    plan = PrizeAmount.objects.filter(contest=contest)
    result.plan = sorted(plan, key=lambda a: (a.part != AwardPart.QUIZ, TIER_ORDER[a.tier]))
    amounts = {(a.part, a.tier): a.amount for a in result.plan}
    groups: list[tuple[str, str, list]] = []  # (source, label, prizes of the list)
    if scope.quiz:
        quiz = Prize.objects.filter(round__contest=contest, round__kind=RoundKind.WEEKLY)
        if scope.round is not None:
            quiz = quiz.filter(round=scope.round)
        quiz = quiz.select_related("round", "user__profile", "entry__best_attempt__organization")
        by_round: dict[int, list] = {}
        for prize in quiz.order_by("round__number", "rank", "pk"):
            by_round.setdefault(prize.round_id, []).append(prize)
        groups += [(QUIZ, prizes[0].round.name, prizes) for prizes in by_round.values()]
    if scope.essays:
        essays = EssayPrize.objects.filter(essay__phase__contest=contest).select_related(
            "essay__phase", "essay__submitter__profile"
        )
        essays = essays.prefetch_related("essay__authors__organization")
        by_phase: dict[int, list] = {}
        for prize in essays.order_by("essay__phase__opens_at", "essay__phase_id", "rank", "pk"):
            by_phase.setdefault(prize.essay.phase_id, []).append(prize)
        groups += [(ESSAY, f"{AwardPart.ESSAY.label} – {prizes[0].essay.phase.name}", prizes) for prizes in by_phase.values()]
        votes = vote_prizes_counting(contest=contest).select_related("phase", "essay__phase", "essay__submitter__profile")
        votes = votes.prefetch_related("essay__authors__organization").order_by("phase__opens_at", "phase_id")
        groups += [(VOTE, f"{_('Bình chọn của bạn đọc')} – {prize.phase.name}", [prize]) for prize in votes]
    chosen = []
    for index, (part, label, prizes) in enumerate(groups):
        if part == VOTE:  # counted as drafted: no verdict (vote_prizes_counting)
            chosen += [(part, label, p, index) for p in prizes]
            continue
        counted = [p for p in prizes if p.status != PrizeStatus.INVALID]
        if not counted:
            continue
        if not fully_verified(counted):
            result.not_ready.append((label, sum(1 for p in counted if p.status == PrizeStatus.DRAFT)))
            continue
        chosen += [(part, label, p, index) for p in counted if p.status == PrizeStatus.VERIFIED]
    organizations = []
    for source, _label, p, _i in chosen:
        if source == QUIZ:
            organizations.append(p.entry.best_attempt.organization)
        else:
            organizations += [a.organization for a in p.essay.authors.all()]
    units = organization_labels(organizations)
    ids = {source: [p.pk for s, _l, p, _i in chosen if s == source] for source in (QUIZ, ESSAY, VOTE)}
    details = {}
    if chosen:
        rows = WinnerDetails.objects.filter(
            Q(prize_id__in=ids[QUIZ]) | Q(essay_prize_id__in=ids[ESSAY]) | Q(vote_prize_id__in=ids[VOTE])
        )
        for row in rows:
            if row.prize_id:
                details[(QUIZ, row.prize_id)] = row
            elif row.essay_prize_id:
                details[(ESSAY, row.essay_prize_id)] = row
            else:
                details[(VOTE, row.vote_prize_id)] = row
    for source, label, prize, index in chosen:
        if source == QUIZ:
            name, payee = prize.user.full_name, prize.user
            unit = units.get(prize.entry.best_attempt.organization_id, "")
        else:
            name, payee = _essay_name(prize), prize.essay.submitter
            authors_units = dict.fromkeys(units.get(a.organization_id, "") for a in prize.essay.authors.all())
            unit = "; ".join(u for u in authors_units if u)
        part = AwardPart.QUIZ if source == QUIZ else AwardPart.ESSAY
        tier = VOTE_TIER if source == VOTE else prize.tier
        result.lines.append(
            AwardLine(part=part, prize=prize, group=label, tier=tier, name=name, unit=unit, payee=payee,
                      amount=amounts.get((part, tier)), details=details.get((source, prize.pk)), group_index=index,
                      source=source)
        )  # fmt: skip
    result.lines.sort(key=lambda line: (line.group_index, TIER_ORDER.get(line.tier, 99), vi_name_key(line.name)))
    totals: dict[tuple[str, str], TierTotal] = {}
    for line in result.lines:
        key = (line.part, line.tier)
        totals.setdefault(key, TierTotal(line.part, line.tier, line.amount)).count += 1
    result.totals = sorted(totals.values(), key=lambda t: (t.part != AwardPart.QUIZ, TIER_ORDER.get(t.tier, 99)))
    return result


# --- paying ---------------------------------------------------------------------------------


def payment_problem(plain: dict | None) -> str | None:
    """Why a winner cannot be paid by transfer from these details (None when they can)."""
    if plain is None:
        return _("Chưa gửi thông tin nhận giải")
    if not (plain.get("bank_account") or "").strip():
        return _("Thiếu số tài khoản")
    if not (plain.get("bank_name") or "").strip():
        return _("Thiếu tên ngân hàng")
    return None


_BRANCH = re.compile(r"\s*(?:[,;–-]\s*)?\b((?:chi nhánh|CN|phòng giao dịch|PGD)\b.*)$", re.IGNORECASE)


def bank_and_branch(text: str) -> tuple[str, str]:
    """The winner's «Ngân hàng, chi nhánh» as two columns: «Agribank chi nhánh Bắc Yên Bái» →
    («Agribank», «chi nhánh Bắc Yên Bái»); «Vietcombank, Yên Bái» → («Vietcombank», «Yên Bái»);
    a bank alone keeps an empty branch."""
    text = " ".join((text or "").split())
    match = _BRANCH.search(text)
    if match and match.start() > 0:
        return text[: match.start()].strip(" ,;-–"), match.group(1).strip()
    for separator in (",", " - ", " – ", ";"):
        if separator in text:
            bank, branch = text.split(separator, 1)
            return bank.strip(), branch.strip()
    return text, ""


def transfer_content(*, line: AwardLine, contest) -> str:
    """The text of a transfer: who, which prize, which list, the contest — without diacritics and
    with only letters, digits, spaces, «.» and «,» (what every bank's channel accepts), cut at a
    word to MAX_TRANSFER_CONTENT characters. What matters comes first, so the cut only shortens
    the contest's name."""
    words = f"{(line.payee.full_name or '').upper()} nhan thuong {line.tier_label} {line.group} {contest.name}"
    text = " ".join(_TRANSFER_SAFE.sub(" ", unaccented(words)).split())
    if len(text) > MAX_TRANSFER_CONTENT:
        text = text[: MAX_TRANSFER_CONTENT + 1].rsplit(" ", 1)[0][:MAX_TRANSFER_CONTENT]
    return text.strip(" .,")


# --- the amount in words ------------------------------------------------------------------------

_DIGITS = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]
_GROUPS = ["", "nghìn", "triệu", "tỷ", "nghìn tỷ", "triệu tỷ"]


def _three(n: int, *, leading: bool) -> list[str]:
    hundreds, tens, units = n // 100, n // 10 % 10, n % 10
    words = []
    if not leading or hundreds:
        words += [_DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units and words:
            words.append("linh")
    elif tens == 1:
        words.append("mười")
    else:
        words += [_DIGITS[tens], "mươi"]
    if units:
        if units == 1 and tens >= 2:
            words.append("mốt")
        elif units == 5 and tens >= 1:
            words.append("lăm")
        elif units == 4 and tens >= 2:
            words.append("tư")
        else:
            words.append(_DIGITS[units])
    return words


def amount_in_words(amount: int) -> str:
    """«Mười lăm triệu đồng»: how a decision writes a sum of money in words («Bằng chữ»)."""
    if amount == 0:
        return "Không đồng"
    groups = []
    while amount:
        groups.append(amount % 1000)
        amount //= 1000
    words: list[str] = []
    top = len(groups) - 1
    for index in range(top, -1, -1):
        value = groups[index]
        if value == 0:
            continue
        words += _three(value, leading=index == top)
        if _GROUPS[index]:
            words.append(_GROUPS[index])
    text = " ".join(words) + " đồng"
    return text[0].upper() + text[1:]


# --- the download log -----------------------------------------------------------------------------


def award_download_record(*, award: AwardList, kind: str, by) -> AwardDownload:
    """Record a download of the decision or the payment list: who, when, which file, for what."""
    return AwardDownload.objects.create(
        contest=award.contest, kind=kind, scope=award.scope.label[:200], prizes=len(award.lines), total=award.total, by=by
    )


def files_for(*, contest, scope: Scope, kind: str) -> AwardList:
    """The award list for a download, or AwardError saying why not (the amounts, the verdicts)."""
    award = award_list(contest=contest, scope=scope)
    if award.problem:
        raise AwardError(award.problem)
    if kind not in AwardDownload.Kind.values:
        raise AwardError(_("Không có loại tệp này."))
    return award
