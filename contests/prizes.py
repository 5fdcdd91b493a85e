"""One prize lifecycle for both parts of a contest: the quiz's weekly `Prize` and the writing
contest's `EssayPrize`. Each part gives a small adapter (`PrizePart`: its model, its ranking of
candidates, what "published" means); the steps are written once, here.

    draft ──► verified ──────────────► published (the round's results / the essays go public)
      │                                    │
      └──► not valid (a reason)            └──► prize_amend(reason): "sửa kết quả đã công bố"
             the next eligible candidate        who / when / why stored on the prize
             takes the tier

- **Draft** (`prizes_draft`): tiers go down the part's ranking of eligible candidates, one
  prize per holder. Holders whose prize was found not valid keep their record (and the tier it
  was drafted for) and are skipped, so everyone below moves up one place. A prize already on the
  list keeps its record (status, who verified it) and only follows its tier and rank; a
  candidate who no longer makes the list loses a draft before publication.
- **Not valid** needs a reason and re-drafts at once: the SAME behaviour for both parts. A part
  may do more first (`PrizePart.on_found_invalid`: the quiz takes the entry out of the ranking).
  A verified prize is never verified a second time (`allowed_actions`).
- **Publication** waits until the list is `fully_verified`; which step a prize may take at any
  moment is `allowed_actions`, asked by the pages and by `prize_verify` / `prize_amend` alike.
- **After publication** nothing changes except through `prize_amend`, which needs a reason and
  appends {at, by, reason, from, to} to the prize's `amendments`; every other prize whose tier
  moves because of it gets the same record. A candidate who joins the list after publication
  starts as a draft the secretariat verifies as usual. Verified winners whose tier changes, and a
  newcomer once verified, are told (`PrizePart.tell_moved`).
- **Figures**: a not-valid prize is kept for the record but counts nowhere:
  `Prize.objects.valid()` / `EssayPrize.objects.valid()` are behind every figure and export.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .decisions import Action, decision_record
from .enums import PrizeStatus

# The statuses of a prize that counts: drafted or verified, never one found not valid. Across a
# relation (an essay's prize, a round's prizes) filter `prize__status__in=VALID_STATUSES`.
VALID_STATUSES = (PrizeStatus.DRAFT, PrizeStatus.VERIFIED)


def fully_verified(prizes: Iterable) -> bool:
    """«Publish only when fully verified», the rule's one home: a prize list may be published, and
    its award list exported, once it holds a prize that counts and none of its prizes is still a
    draft (each one verified by the secretariat, or found not valid and passed on). Takes the
    list's prizes (a queryset or the rows a page already has). Asked by both parts' publication
    (`quiz.services.round_publish_results`, `essays.judging.prizes_publish`), the award list and
    the winners pages."""
    statuses = {prize.status for prize in prizes}
    return PrizeStatus.VERIFIED in statuses and PrizeStatus.DRAFT not in statuses


def awaiting_verification(prizes: Iterable) -> int:
    """How many prizes of a list still wait for the secretariat's verdict (drafts)."""
    return sum(1 for prize in prizes if prize.status == PrizeStatus.DRAFT)


@dataclass(frozen=True)
class PrizeActions:
    """What the secretariat may do with one prize now (`allowed_actions`)."""

    verify_valid: bool = False  # «Xác minh hợp lệ» (prize_verify, valid=True): a draft only
    verify_invalid: bool = False  # «Không hợp lệ» (prize_verify, valid=False): a draft, or a verified prize before publication
    amend_invalid: bool = False  # «sửa kết quả đã công bố»: find a published prize not valid (prize_amend)
    amend_restore: bool = False  # «sửa kết quả đã công bố»: restore a prize found not valid (prize_amend)

    @property
    def verify(self) -> bool:
        return self.verify_valid or self.verify_invalid

    @property
    def amend(self) -> bool:
        return self.amend_invalid or self.amend_restore


def allowed_actions(prize, *, published: bool) -> PrizeActions:
    """Which step of the lifecycle a prize may take, the rule's one home (the winners pages show
    only these forms; `prize_verify` and `prize_amend` refuse anything else):

    - a draft takes a verdict, before publication or after it (a prize that joined the list since);
    - before publication a verified prize may still be found not valid, but is never verified a
      second time (a double click or a second secretary wrote identical decisions); a prize found
      not valid takes none (its tier went to the next candidate);
    - after publication a verified prize changes only by an amendment finding it not valid, and a
      prize found not valid only by an amendment restoring it."""
    if prize.status == PrizeStatus.DRAFT:
        return PrizeActions(verify_valid=True, verify_invalid=True)
    if not published:
        return PrizeActions(verify_invalid=prize.status == PrizeStatus.VERIFIED)
    if prize.status == PrizeStatus.VERIFIED:
        return PrizeActions(amend_invalid=True)
    return PrizeActions(amend_restore=True)


class PrizeQuerySet(models.QuerySet):
    def valid(self):
        """Prizes that count (VALID_STATUSES): every figure and export reads prizes through this."""
        return self.filter(status__in=VALID_STATUSES)


@dataclass
class Candidate:
    """One place of a part's ranking that may receive a prize."""

    holder_id: int  # the user (quiz) or the essay (writing contest)
    rank: int  # the place on the part's ranking (1 = first)
    fields: dict = field(default_factory=dict)  # what a new prize row needs besides tier and rank


class PrizePart:
    """What the lifecycle needs to know about one part. Subclasses fill in the blanks."""

    model: type[models.Model]
    holder: str  # the prize's field naming its holder: "user_id" or "essay_id"
    error: type[Exception] = ValueError

    def scope_of(self, prize):
        """The round a prize belongs to (the weekly round, the final judging round)."""
        raise NotImplementedError

    def prizes(self, scope) -> models.QuerySet:
        raise NotImplementedError

    def tiers(self, scope) -> list[str]:
        """The prize plan, one tier per prize, best first."""
        raise NotImplementedError

    def candidates(self, scope) -> Iterable[Candidate]:
        """Eligible candidates, best first (ineligible ones, e.g. staff, are left out)."""
        raise NotImplementedError

    def is_published(self, scope) -> bool:
        raise NotImplementedError

    def prepare(self, scope) -> None:
        """Checks and work before a draft the organizers ask for (e.g. the round must be closed)."""

    def on_verified_after_publication(self, prize) -> None:
        """A prize that joined the list after publication was verified: make it public."""

    def on_invalid_after_publication(self, prize) -> None:
        """A published prize was found not valid: take it off the public pages."""

    def on_found_invalid(self, prize, *, scope, reason: str) -> None:
        """The secretariat found a prize not valid (a verdict or an amendment, never a prize that
        merely fell off the list): what else follows in the part, before the list is re-drafted
        (the quiz takes the entry out of the ranking: see QuizPrizes)."""

    def on_restored(self, prize, *, scope) -> None:
        """An amendment restored a prize found not valid: undo `on_found_invalid`."""

    def tell_moved(self, prizes: list) -> None:
        """After publication, verified winners whose tier changed (moved up by an amendment) or
        who joined the list and were verified: tell them (contests.notifications)."""


def _stamp(by, reason: str, before: dict, after: dict) -> dict:
    return {
        "at": timezone.now().isoformat(),
        "by": by.pk,
        "by_name": getattr(by, "full_name", "") or str(by),
        "reason": reason,
        "from": before,
        "to": after,
    }


def _state(prize) -> dict:
    return {"status": prize.status, "tier": prize.tier, "rank": prize.rank}


def _tier_moved(prize) -> bool:
    """Whether the prize's last amendment changed its tier (not only its place)."""
    last = prize.amendments[-1] if prize.amendments else None
    return bool(last) and last["from"].get("tier") != last["to"].get("tier")


def _redraft(*, part: PrizePart, scope, by=None, reason: str = "") -> list:
    """Assign the plan's tiers down the ranking, keeping every existing prize's record. After
    publication, each prize that changes is stamped with the amendment (`by`, `reason`), and one
    that falls off the list is marked not valid rather than deleted."""
    published = part.is_published(scope)
    existing = {getattr(p, part.holder): p for p in part.prizes(scope).select_for_update()}
    invalid = {holder for holder, p in existing.items() if p.status == PrizeStatus.INVALID}
    tiers = part.tiers(scope)
    wanted: list[tuple[Candidate, str]] = []
    if tiers:
        for candidate in part.candidates(scope):
            if candidate.holder_id in invalid:
                continue
            wanted.append((candidate, tiers[len(wanted)]))
            if len(wanted) == len(tiers):
                break
    kept, changed, new = set(), [], []
    for candidate, tier in wanted:
        prize = existing.get(candidate.holder_id)
        if prize is None:
            new.append(part.model(tier=tier, rank=candidate.rank, status=PrizeStatus.DRAFT, **candidate.fields))
            continue
        kept.add(prize.pk)
        if (prize.tier, prize.rank) != (tier, candidate.rank):
            before = _state(prize)
            prize.tier, prize.rank = tier, candidate.rank
            if published:
                prize.amendments = [*prize.amendments, _stamp(by, reason, before, _state(prize))]
            changed.append(prize)
    dropped = [p for holder, p in existing.items() if holder not in invalid and p.pk not in kept]
    if published:
        for prize in dropped:
            before = _state(prize)
            prize.status = PrizeStatus.INVALID
            prize.amendments = [*prize.amendments, _stamp(by, reason, before, _state(prize))]
            changed.append(prize)
            part.on_invalid_after_publication(prize)
    else:
        part.model.objects.filter(pk__in=[p.pk for p in dropped]).delete()
    part.model.objects.bulk_update(changed, ["tier", "rank", "status", "amendments"])
    part.model.objects.bulk_create(new)
    if published:
        part.tell_moved([p for p in changed if p.status == PrizeStatus.VERIFIED and _tier_moved(p)])
    return sorted(part.prizes(scope).valid(), key=lambda p: p.rank)


@transaction.atomic
def prizes_draft(*, part: PrizePart, scope, by=None) -> list:
    """Draft (or re-draft) the prize list of a round the organizers have closed. Safe to run
    again: verified winners stay verified, not-valid ones stay out. Returns the valid prizes."""
    if part.is_published(scope):
        raise part.error(_("Kết quả đã công bố; không lập lại danh sách giải."))
    part.prepare(scope)
    drafted = _redraft(part=part, scope=scope)
    decision_record(action=Action.PRIZES_DRAFT, obj=scope, by=by, data={"prizes": len(drafted)})
    return drafted


@transaction.atomic
def redraft_if_drafted(*, part: PrizePart, scope) -> bool:
    """Re-draft a list that exists and is not yet published (after a change in the ranking, e.g.
    an integrity decision). Returns whether it did."""
    if part.is_published(scope) or not part.prizes(scope).exists():
        return False
    part.prepare(scope)
    _redraft(part=part, scope=scope)
    return True


@transaction.atomic
def prizes_follow_ranking(*, part: PrizePart, scope, by, reason: str) -> list:
    """The ranking under a list changed by a decision that is not about a prize (an erratum
    re-scored a quiz round): before publication a drafted list is re-drafted (verified winners
    who stay on it stay verified); after it, the amendment path — each prize that moves is stamped
    with `by` and `reason`, one that falls off is marked not valid, a newcomer starts as a draft,
    and verified winners whose tier changed are told. Nothing when no list was drafted. Returns
    the valid prizes."""
    if not part.prizes(scope).exists():
        return []
    if not part.is_published(scope):
        part.prepare(scope)
        return _redraft(part=part, scope=scope)
    return _redraft(part=part, scope=scope, by=by, reason=reason[:500])


@transaction.atomic
def prize_verify(*, part: PrizePart, prize, by, valid: bool, note: str = ""):
    """The secretariat's check of a winner (who and when recorded). Not valid needs a reason and
    passes the tier to the next eligible candidate. After publication only a prize that joined
    the list since (still a draft) can be checked here; any other change is `prize_amend`. A prize
    found not valid is not checked again."""
    prize = part.model.objects.select_for_update().get(pk=prize.pk)
    scope = part.scope_of(prize)
    published = part.is_published(scope)
    actions = allowed_actions(prize, published=published)
    if not (actions.verify_valid if valid else actions.verify_invalid):
        if published:
            raise part.error(_("Kết quả đã công bố; chỉ có thể sửa qua «sửa kết quả đã công bố», có ghi lý do."))
        if prize.status == PrizeStatus.VERIFIED:
            raise part.error(_("Giải này đã được xác minh hợp lệ; không ghi thêm một quyết định giống hệt."))
        raise part.error(_("Giải này đã được xác định không hợp lệ và đã chuyển cho người kế tiếp."))
    note = (note or "").strip()
    if not valid and not note:
        raise part.error(_("Cần ghi lý do khi xác định giải không hợp lệ."))
    prize.status = PrizeStatus.VERIFIED if valid else PrizeStatus.INVALID
    prize.note, prize.verified_by, prize.verified_at = note[:500], by, timezone.now()
    prize.save(update_fields=["status", "note", "verified_by", "verified_at"])
    decision_record(
        action=Action.PRIZE_VERIFY if valid else Action.PRIZE_INVALID, obj=prize, by=by, reason=note, data=_state(prize)
    )
    if not valid:
        part.on_found_invalid(prize, scope=scope, reason=note)
        _redraft(part=part, scope=scope, by=by, reason=note)
    elif published:
        part.on_verified_after_publication(prize)
        part.tell_moved([prize])
    return prize


@transaction.atomic
def prize_amend(*, part: PrizePart, prize, by, valid: bool, reason: str):
    """«Sửa kết quả đã công bố»: change a published prize — find it not valid (the next eligible
    candidate takes the tier, as before publication) or restore one found not valid — with a
    reason. Who, when, why and what changed are appended to the prize's `amendments`."""
    prize = part.model.objects.select_for_update().get(pk=prize.pk)
    scope = part.scope_of(prize)
    if not part.is_published(scope):
        raise part.error(_("Kết quả chưa công bố; hãy dùng bước xác minh thông thường."))
    reason = (reason or "").strip()
    if not reason:
        raise part.error(_("Cần ghi lý do khi sửa kết quả đã công bố."))
    status = PrizeStatus.VERIFIED if valid else PrizeStatus.INVALID
    actions = allowed_actions(prize, published=True)
    if not (actions.amend_restore if valid else actions.amend_invalid):
        if actions.verify:  # a draft that joined the list after publication takes a verdict
            raise part.error(_("Giải này chưa được xác minh; hãy dùng bước xác minh thông thường."))
        raise part.error(_("Giải này đã ở trạng thái đó; không có gì để sửa."))
    before = _state(prize)
    prize.status = status
    prize.verified_by, prize.verified_at = by, timezone.now()
    prize.amendments = [*prize.amendments, _stamp(by, reason[:500], before, _state(prize))]
    prize.save(update_fields=["status", "verified_by", "verified_at", "amendments"])
    decision_record(action=Action.PRIZE_AMEND, obj=prize, by=by, reason=reason, data={"from": before, "to": _state(prize)})
    if valid:
        part.on_restored(prize, scope=scope)
        part.on_verified_after_publication(prize)
    else:
        part.on_invalid_after_publication(prize)
        part.on_found_invalid(prize, scope=scope, reason=reason[:500])
    _redraft(part=part, scope=scope, by=by, reason=reason[:500])
    prize.refresh_from_db()
    if valid and prize.status == PrizeStatus.VERIFIED:
        part.tell_moved([prize])
    return prize
