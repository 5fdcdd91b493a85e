"""The seal's history, for verify_results: the seal was written before the round opened, never
replaced, and the round's window is the one sealed plus the extensions the decision log records.

- written before the opening: `created_at` earlier than the round's `opens_at` (a backfilled seal
  is said as such, not counted as a difference: it was written after the opening by design);
- never replaced: exactly one SEAL decision for the round (round_approve records it in the same
  transaction as the seal), naming the fingerprint of the seal row, and a seal row no later than
  that decision. Decisions recorded before the fingerprint was put in their data are said to be
  not checkable;
- the window: the seal's window (kept since the seal keeps one), then each WINDOW_EXTEND and
  WINDOW_CLOSE_EARLY decision in the order recorded, its old closing time the previous one's new
  (an extension later, an early close earlier but not before the moment it was decided); the end
  of that chain is the round's closing time now, and its opening time never moved.
Two queries per sealed round."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from contests.decisions import Action
from contests.models import Decision
from quiz.models import EARLY_CLOSE_SKEW, Round, RoundSeal

from .report import Report

# The decisions that move a sealed round's close (quiz.services.rounds).
WINDOW_ACTIONS = (Action.WINDOW_EXTEND, Action.WINDOW_CLOSE_EARLY)

# What round_extend_window wrote for people before it wrote the UTC pair (quiz.selectors.moment_display).
DISPLAY_FORMAT = "%H:%M %d/%m/%Y"


def _moment(value: datetime.datetime | None) -> str:
    if value is None:
        return "–"
    return timezone.localtime(value).strftime("%H:%M:%S %d/%m/%Y")


def _closing(data: dict, which: str) -> tuple[datetime.datetime | None, bool]:
    """A window extension's old or new closing time, and whether it is exact (the UTC value) or
    to the minute (the text older decisions hold)."""
    exact = data.get(f"{which}_closes_at_utc")
    if exact:
        try:
            return datetime.datetime.fromisoformat(exact), True
        except ValueError:
            return None, True
    try:
        shown = datetime.datetime.strptime(data.get(f"{which}_closes_at") or "", DISPLAY_FORMAT)
    except ValueError:
        return None, False
    return timezone.make_aware(shown), False


def _same(a: datetime.datetime, b: datetime.datetime, exact: bool) -> bool:
    if exact:
        return a == b
    return timezone.localtime(a).replace(second=0, microsecond=0) == b


def verify_seal_history(*, round: Round, report: Report, contest_label: str, section: str, label: str) -> None:
    seal = (
        RoundSeal.objects.filter(round_id=round.pk).values("sha256", "backfilled", "created_at", "opens_at", "closes_at").first()
    )
    if seal is None:
        return  # quiz.seal.seal_verify says whether one is missing

    def diff(message):
        report.add(contest_label, section, _("%(round)s, niêm phong: %(problem)s") % {"round": label, "problem": message})

    def note(message):
        report.note(contest_label, section, _("%(round)s, niêm phong: %(problem)s") % {"round": label, "problem": message})

    decisions = list(
        Decision.objects.filter(
            object_type=Round._meta.label_lower, object_id=round.pk, action__in=[Action.SEAL, *WINDOW_ACTIONS]
        )
        .order_by("at", "pk")
        .values("pk", "action", "at", "data")
    )
    sealings = [d for d in decisions if d["action"] == Action.SEAL]

    # Written before the opening.
    if seal["backfilled"]:
        note(
            _("tệp được lập bổ sung lúc %(at)s, sau khi tuần thi mở; thời điểm niêm phong và thời gian thi không kiểm tra được.")
            % {"at": _moment(seal["created_at"])}
        )
    elif seal["created_at"] >= round.opens_at:
        diff(
            _("tệp niêm phong được lập lúc %(at)s, không trước lúc tuần thi mở (%(opens)s).")
            % {"at": _moment(seal["created_at"]), "opens": _moment(round.opens_at)}
        )

    # Never replaced.
    if len(sealings) != 1 and not (seal["backfilled"] and not sealings):
        diff(_("nhật ký có %(n)d quyết định niêm phong cho tuần thi này; phải có đúng một.") % {"n": len(sealings)})
    for decision in sealings:
        recorded = (decision["data"] or {}).get("sha256")
        if not recorded:
            note(
                _(
                    "quyết định niêm phong #%(pk)d ghi lúc %(at)s không ghi mã niêm phong; "
                    "không kiểm tra được tệp có bị thay không."
                )
                % {"pk": decision["pk"], "at": _moment(decision["at"])}
            )
        elif recorded != seal["sha256"]:
            diff(
                _("quyết định niêm phong #%(pk)d ghi mã %(recorded)s, nhưng tệp đang lưu có mã %(stored)s: tệp đã bị thay.")
                % {"pk": decision["pk"], "recorded": recorded, "stored": seal["sha256"]}
            )
        if seal["created_at"] > decision["at"]:
            diff(
                _("tệp niêm phong đang lưu được lập lúc %(at)s, sau quyết định niêm phong #%(pk)d (%(decided)s): tệp đã bị thay.")
                % {"at": _moment(seal["created_at"]), "pk": decision["pk"], "decided": _moment(decision["at"])}
            )

    # The window: sealed, then each recorded extension.
    if seal["opens_at"] is None or seal["closes_at"] is None:
        if not seal["backfilled"]:
            note(_("tệp lập khi niêm phong chưa ghi thời gian thi; không đối chiếu được thời gian mở và đóng."))
        return
    if round.opens_at != seal["opens_at"]:
        diff(
            _("tuần thi hiện mở lúc %(now)s, khi niêm phong mở lúc %(sealed)s; thời gian mở không được đổi sau khi niêm phong.")
            % {"now": _moment(round.opens_at), "sealed": _moment(seal["opens_at"])}
        )
    closes = seal["closes_at"]
    for decision in decisions:
        if decision["action"] not in WINDOW_ACTIONS:
            continue
        early = decision["action"] == Action.WINDOW_CLOSE_EARLY
        what = _("quyết định đóng sớm #%(pk)d") if early else _("quyết định gia hạn #%(pk)d")
        what = what % {"pk": decision["pk"]}
        data = decision["data"] or {}
        old, exact = _closing(data, "old")
        new, _exact = _closing(data, "new")
        if old is None or new is None:
            diff(_("%(what)s không ghi rõ thời gian đóng cũ và mới.") % {"what": what})
            continue
        if not _same(closes, old, exact):
            diff(
                _("%(what)s ghi thời gian đóng cũ %(old)s, nhưng trước đó tuần thi đóng lúc %(closes)s.")
                % {"what": what, "old": _moment(old), "closes": _moment(closes)}
            )
        if early and not new < old:
            diff(
                _("%(what)s ghi thời gian đóng mới %(new)s, không trước thời gian đóng cũ.") % {"what": what, "new": _moment(new)}
            )
        elif not early and not new > old:
            diff(_("%(what)s ghi thời gian đóng mới %(new)s, không sau thời gian đóng cũ.") % {"what": what, "new": _moment(new)})
        if early and new < decision["at"] - EARLY_CLOSE_SKEW:
            diff(
                _("%(what)s ghi lúc %(at)s đóng tuần thi về %(new)s, một thời điểm đã qua: các bài nộp giữa hai lúc đó bị cắt.")
                % {"what": what, "at": _moment(decision["at"]), "new": _moment(new)}
            )
        closes = new if exact else _closest(round.closes_at, new)
    if round.closes_at != closes:
        diff(
            _(
                "tuần thi hiện đóng lúc %(now)s, nhưng niêm phong ghi %(sealed)s và các lần gia hạn, đóng sớm đã ghi cho ra "
                "%(expected)s: thời gian đóng đã bị đổi ngoài chức năng gia hạn và đóng sớm."
            )
            % {"now": _moment(round.closes_at), "sealed": _moment(seal["closes_at"]), "expected": _moment(closes)}
        )


def _closest(actual: datetime.datetime, to_the_minute: datetime.datetime) -> datetime.datetime:
    """An older extension's new closing time is known to the minute: the round's closing time
    when it falls in that minute, else the minute itself."""
    if to_the_minute <= actual < to_the_minute + datetime.timedelta(minutes=1):
        return actual
    return to_the_minute
