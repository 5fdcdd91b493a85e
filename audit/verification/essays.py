"""The writing contest part of verify_results: every judging round's results recomputed from the
submitted score sheets (weighted totals, mean, spread, z-score per judge, ranks and ties) and
compared with `essays.selectors.round_results`, which the organizers' pages show; and every prize
list compared with what the prize lifecycle (contests.prizes) gives for the recomputed ranking of
the round the prizes were awarded in (the last round each essay reached)."""

import builtins
import statistics
from collections import defaultdict

from django.utils.translation import gettext as _

from contests.enums import PrizeStatus
from essays import judging
from essays import selectors as essay_selectors
from essays.enums import SheetStatus
from essays.models import Criterion, EssayPrize, JudgingRound, RoundEssay, Score

from .quiz import tier_label
from .report import Report


def recompute(round: JudgingRound, codes: dict[int, str], submitted: dict[int, object] | None = None) -> list[dict]:
    """The round's results from its score sheets, best first: per essay its code, mean of the
    judges' weighted totals (the rule: `essays.selectors.sheet_total`), spread, mean z-score (each
    judge's totals standardized), rank (equal (normalized, mean) share a rank) and whether it is
    tied; the order, tie-break included, is `essays.selectors.result_order`. `submitted`: essay
    id -> when it was submitted."""
    submitted = submitted or {}
    weights = {pk: float(weight) for pk, weight in Criterion.objects.filter(round=round).values_list("pk", "weight")}
    given: dict[int, dict[int, dict[int, int]]] = {essay_id: defaultdict(dict) for essay_id in codes}
    sheets = Score.objects.filter(assignment__round=round, assignment__status=SheetStatus.SUBMITTED).values_list(
        "assignment__essay_id", "assignment__judge_id", "criterion_id", "points"
    )
    for essay_id, judge_id, criterion_id, points in sheets:
        if essay_id in given:
            given[essay_id][judge_id][criterion_id] = points
    totals = {
        essay_id: {judge_id: essay_selectors.sheet_total(points, weights) for judge_id, points in per_judge.items()}
        for essay_id, per_judge in given.items()
    }
    by_judge = defaultdict(list)
    for per_judge in totals.values():
        for judge_id, total in per_judge.items():
            by_judge[judge_id].append(total)
    scale = {judge_id: (statistics.fmean(values), statistics.pstdev(values)) for judge_id, values in by_judge.items()}
    rows = []
    for essay_id, per_judge in totals.items():
        row = {"essay_id": essay_id, "code": codes[essay_id], "mean": None, "spread": None, "normalized": None, "tied": False}
        if per_judge:
            values = list(per_judge.values())
            row["mean"] = builtins.round(statistics.fmean(values), 2)
            row["spread"] = builtins.round(max(values) - min(values), 2)
            z = [(t - scale[j][0]) / scale[j][1] if scale[j][1] else 0.0 for j, t in per_judge.items()]
            row["normalized"] = builtins.round(statistics.fmean(z), 3)
        rows.append(row)
    rows.sort(
        key=lambda r: essay_selectors.result_order(
            normalized=r["normalized"], mean=r["mean"], spread=r["spread"], submitted_at=submitted.get(r["essay_id"]),
            essay_id=r["essay_id"],
        )
    )  # fmt: skip
    previous, rank = None, 0
    for position, row in enumerate(rows, start=1):
        key = (row["normalized"], row["mean"])
        if key == previous:
            row["tied"] = rows[position - 2]["tied"] = True
        else:
            rank = position
        row["rank"], previous = rank, key
    return rows


def verify_essays(*, contest, report: Report, contest_label: str) -> None:
    rounds = list(JudgingRound.objects.filter(phase__contest=contest).select_related("phase").order_by("phase_id", "order", "pk"))
    entries = defaultdict(dict)  # round id -> essay id -> code
    submitted = {}  # essay id -> when it was submitted (the tie-break)
    last_round = {}  # essay id -> the last round it reached (where its prize is awarded)
    order = {r.pk: (r.order, r.pk) for r in rounds}
    for round_id, essay_id, code, submitted_at in RoundEssay.objects.filter(round__in=rounds).values_list(
        "round_id", "essay_id", "essay__code", "essay__submitted_at"
    ):
        entries[round_id][essay_id] = code
        submitted[essay_id] = submitted_at
        if essay_id not in last_round or order[round_id] > order[last_round[essay_id]]:
            last_round[essay_id] = round_id
    prizes = defaultdict(list)
    for row in EssayPrize.objects.filter(essay__phase__contest=contest).values_list(
        "essay_id", "tier", "rank", "status", "essay__published_at", "essay__code"
    ):
        scope = last_round.get(row[0])
        if scope is None:
            report.add(
                contest_label, _("Giải bài viết"), _("Bài %(code)s có giải nhưng không thuộc vòng chấm nào.") % {"code": row[5]}
            )
            continue
        prizes[scope].append(row)
    for round in rounds:
        report.checked["judging"] += 1
        section = _("Vòng chấm «%(name)s» (%(phase)s)") % {"name": round.name, "phase": round.phase.name}
        mine = recompute(round, entries[round.pk], submitted)
        _compare(mine, essay_selectors.round_results(round=round), report, contest_label, section)
        if prizes.get(round.pk):
            _prizes(mine, prizes[round.pk], report, contest_label, section)


FIGURES = ("mean", "spread", "normalized", "rank", "tied")


def _compare(mine: list[dict], shown, report: Report, contest_label: str, section: str) -> None:
    names = {
        "mean": _("điểm trung bình"), "spread": _("độ chênh giữa giám khảo"), "normalized": _("điểm chuẩn hoá"),
        "rank": _("thứ hạng"), "tied": _("đồng hạng"),
    }  # fmt: skip
    by_essay = {row["essay_id"]: row for row in mine}
    seen = set()
    for result in shown:
        seen.add(result.essay.pk)
        row = by_essay.get(result.essay.pk)
        if row is None:
            report.add(
                contest_label,
                section,
                _("Bài %(code)s có trong kết quả nhưng không thuộc vòng chấm.") % {"code": result.essay.code},
            )
            continue
        for name in FIGURES:
            if getattr(result, name) != row[name]:
                report.add(
                    contest_label, section,
                    _("Bài %(code)s: %(name)s hiển thị %(shown)s, tính lại %(now)s.")
                    % {"code": row["code"], "name": names[name], "shown": getattr(result, name), "now": row[name]},
                )  # fmt: skip
    for essay_id in by_essay.keys() - seen:
        report.add(
            contest_label,
            section,
            _("Bài %(code)s thuộc vòng chấm nhưng không có trong kết quả.") % {"code": by_essay[essay_id]["code"]},
        )


def _prizes(mine: list[dict], stored: list[tuple], report: Report, contest_label: str, section: str) -> None:
    """The list the lifecycle gives: the plan's tiers down the recomputed ranking (essays with a
    mean), essays whose prize was found not valid kept for the record and skipped."""
    report.checked["essay_prizes"] += len(stored)
    tiers = [tier for tier, count in judging.PRIZE_PLAN for _i in range(count)]
    invalid = {row[0] for row in stored if row[3] == PrizeStatus.INVALID}
    published = any(row[4] is not None for row in stored)
    wanted = []
    for place, row in enumerate((r for r in mine if r["mean"] is not None), start=1):
        if len(wanted) == len(tiers):
            break
        if row["essay_id"] not in invalid:
            wanted.append((row, tiers[len(wanted)], place))
    valid = {row[0]: row for row in stored if row[3] != PrizeStatus.INVALID}
    for row, tier, place in wanted:
        prize = valid.pop(row["essay_id"], None)
        if prize is None:
            report.add(
                contest_label, section,
                _("Bài %(code)s: theo xếp hạng tính lại phải có %(tier)s (hạng %(place)d) nhưng không có trong danh sách giải.")
                % {"code": row["code"], "tier": tier_label(tier), "place": place},
            )  # fmt: skip
            continue
        _essay, stored_tier, rank, status, published_at, code = prize
        if (stored_tier, rank) != (tier, place):
            report.add(
                contest_label, section,
                _("Bài %(code)s: giải lưu %(stored)s hạng %(rank)d, tính lại %(tier)s hạng %(place)d.")
                % {"code": code, "stored": tier_label(stored_tier), "rank": rank, "tier": tier_label(tier), "place": place},
            )  # fmt: skip
        if published and status == PrizeStatus.VERIFIED and published_at is None:
            report.add(
                contest_label, section, _("Bài %(code)s: giải đã xác minh và công bố nhưng bài chưa được đăng.") % {"code": code}
            )
    for _essay, tier, rank, _status, _published_at, code in valid.values():
        report.add(
            contest_label, section,
            _("Bài %(code)s: có %(tier)s hạng %(rank)d nhưng theo xếp hạng tính lại không đạt giải.")
            % {"code": code, "tier": tier_label(tier), "rank": rank},
        )  # fmt: skip
