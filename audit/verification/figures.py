"""The figures of verify_results: the weekly table and the per-unit table recomputed in plain Python
from the recomputed attempts, the organization tree (by its parent links, not the stored path),
the prizes and the essays, and compared with what the selectors show on /reports/ and /stats/."""

from collections import Counter, defaultdict

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.enums import OrganizationKind
from accounts.models import Member, Organization
from contests.enums import PrizeStatus
from essays.enums import Eligibility, EssayStatus
from essays.models import Essay
from quiz.enums import RoundKind
from quiz.figures import figures_differences
from quiz.models import Prize, Round
from reports import selectors

from .quiz import RoundFacts, round_label, tier_label
from .report import Report

WEEK_FIGURES = {
    "participants": gettext_lazy("số người dự thi"),
    "attempts": gettext_lazy("số bài thi"),
    "full_attempts": gettext_lazy("số bài đạt điểm tuyệt đối"),
    "full_people": gettext_lazy("số người đạt điểm tuyệt đối"),
    "near_attempts": gettext_lazy("số bài thiếu một câu"),
    "near_people": gettext_lazy("số người thiếu một câu"),
    "fastest_full_ms": gettext_lazy("thời gian nhanh nhất đạt điểm tuyệt đối (ms)"),
}

DISTINCT_FIGURES = {
    "people": gettext_lazy("số người khác nhau đã dự thi"),
    "full_people_distinct": gettext_lazy("số người khác nhau đạt điểm tuyệt đối"),
}


def _week(facts: RoundFacts) -> dict:
    n = facts.round.questions_per_attempt
    full = [a for a in facts.attempts if a.score == n]
    near = [a for a in facts.attempts if a.score == n - 1]
    return {
        "participants": len({a.user_id for a in facts.attempts}),
        "attempts": len(facts.attempts),
        "full_attempts": len(full),
        "full_people": len({a.user_id for a in full}),
        "near_attempts": len(near),
        "near_people": len({a.user_id for a in near}),
        "fastest_full_ms": min((a.duration_ms for a in full), default=None),
    }


def verify_weekly_table(*, contest, rounds: list[RoundFacts], report: Report, contest_label: str) -> None:
    section = _("Số liệu theo tuần")
    weeks = [f for f in rounds if f.round.kind == RoundKind.WEEKLY and f.round.is_sealed]
    mine = {f.round.pk: _week(f) for f in weeks}
    rows, total = selectors.weekly_table(contest=contest)
    shown = {row.round.pk: row for row in rows}
    for facts in weeks:
        row = shown.get(facts.round.pk)
        label = round_label(facts.round)
        if row is None:
            report.add(contest_label, section, _("%(round)s không có dòng trong bảng số liệu theo tuần.") % {"round": label})
            continue
        now = mine[facts.round.pk]
        for name, title in WEEK_FIGURES.items():
            if getattr(row, name) != now[name]:
                report.add(
                    contest_label, section,
                    _("%(round)s: %(name)s hiển thị %(shown)s, tính lại %(now)s.")
                    % {"round": label, "name": title, "shown": _show(getattr(row, name)), "now": _show(now[name])},
                )  # fmt: skip
    for pk in shown.keys() - mine.keys():
        report.add(contest_label, section, _("Bảng số liệu có dòng cho tuần thi #%(r)d không được kiểm tra.") % {"r": pk})
    sums = {name: sum(m[name] for m in mine.values()) for name in WEEK_FIGURES if name != "fastest_full_ms"}
    fastest = [m["fastest_full_ms"] for m in mine.values() if m["fastest_full_ms"] is not None]
    sums["fastest_full_ms"] = min(fastest) if fastest else None
    for name, title in WEEK_FIGURES.items():
        if getattr(total, name) != sums[name]:
            report.add(
                contest_label, section,
                _("Dòng tổng: %(name)s hiển thị %(shown)s, tính lại %(now)s.")
                % {"name": title, "shown": _show(getattr(total, name)), "now": _show(sums[name])},
            )  # fmt: skip
    # Beside the sums: each person once across the weeks.
    distinct = {
        "people": len({a.user_id for f in weeks for a in f.attempts}),
        "full_people_distinct": len({a.user_id for f in weeks for a in f.attempts if a.score == f.round.questions_per_attempt}),
    }
    for name, title in DISTINCT_FIGURES.items():
        if getattr(total, name) != distinct[name]:
            report.add(
                contest_label, section,
                _("Dòng tổng: %(name)s hiển thị %(shown)s, tính lại %(now)s.")
                % {"name": title, "shown": _show(getattr(total, name)), "now": _show(distinct[name])},
            )  # fmt: skip


def _tops() -> dict[int, int]:
    """Every unit -> the unit it rolls up to (the highest unit of its branch below the bloc),
    walking the parent links."""
    units = {pk: (parent, kind) for pk, parent, kind in Organization.objects.values_list("pk", "parent_id", "kind")}
    tops = {}
    for pk in units:
        chain, seen, at = [], set(), pk
        while at is not None and at in units and at not in seen:
            seen.add(at)
            chain.append(at)
            at = units[at][0]
        chain.reverse()  # from the root down
        tops[pk] = next((u for u in chain if units[u][1] != OrganizationKind.BLOC), pk)
    return tops


def verify_unit_table(*, contest, rounds: list[RoundFacts], report: Report, contest_label: str) -> None:
    section = _("Số liệu theo đơn vị")
    tops = _tops()
    figures: dict[int, dict] = defaultdict(lambda: {"participants": set(), "attempts": 0, "full_attempts": 0,
                                                    "prizes": Counter(), "essays": [0, 0, 0]})  # fmt: skip
    best_org = {}
    for facts in rounds:
        if facts.round.kind != RoundKind.WEEKLY:
            continue
        n = facts.round.questions_per_attempt
        for attempt in facts.attempts:
            row = figures[tops[attempt.organization_id]]
            row["participants"].add(attempt.user_id)
            row["attempts"] += 1
            row["full_attempts"] += attempt.score == n
        for user_id, attempt in facts.best.items():
            best_org[(facts.round.pk, user_id)] = attempt.organization_id
    prizes = Prize.objects.valid().filter(round__contest=contest).values_list("round_id", "user_id", "tier")
    for round_id, user_id, tier in prizes:
        org = best_org.get((round_id, user_id))
        if org is None:
            report.add(contest_label, section, _("Giải của thí sinh #%(u)d không có bài thi để tính đơn vị.") % {"u": user_id})
            continue
        figures[tops[org]]["prizes"][tier] += 1
    essays = Essay.objects.filter(phase__contest=contest, status=EssayStatus.SUBMITTED).values_list(
        "subject_organization_id", "eligibility", "prize__status"
    )
    for org, eligibility, prize_status in essays:
        row = figures[tops[org]]["essays"]
        row[0] += 1
        row[1] += eligibility == Eligibility.ELIGIBLE
        row[2] += prize_status is not None and prize_status != PrizeStatus.INVALID
    mine = {
        unit: (
            len(f["participants"]),
            f["attempts"],
            f["full_attempts"],
            {t: c for t, c in f["prizes"].items() if c},
            tuple(f["essays"]),
        )
        for unit, f in figures.items()
    }
    table = selectors.unit_table(contest=contest)
    shown = {
        row.unit.pk: (row.participants, row.attempts, row.full_attempts, {t: c for t, c in row.prizes.items() if c},
                      (row.essays_submitted, row.essays_eligible, row.essays_awarded))
        for row in table
    }  # fmt: skip
    _verify_rate_base(table, tops=tops, report=report, contest_label=contest_label, section=section)
    empty = (0, 0, 0, {}, (0, 0, 0))
    names = dict(Organization.objects.filter(pk__in=mine.keys() | shown.keys()).values_list("pk", "name"))
    titles = (
        _("số người dự thi"),
        _("số bài thi"),
        _("số bài đạt điểm tuyệt đối"),
        _("giải tuần"),
        _("bài viết (nộp, đủ điều kiện, đạt giải)"),
    )
    for unit in sorted(mine.keys() | shown.keys()):
        report.checked["units"] += 1
        was, now = shown.get(unit, empty), mine.get(unit, empty)
        for title, a, b in zip(titles, was, now):
            if a != b:
                if isinstance(a, dict):
                    a, b = _tiers(a), _tiers(b)
                report.add(
                    contest_label, section,
                    _("%(unit)s: %(name)s hiển thị %(shown)s, tính lại %(now)s.")
                    % {"unit": names.get(unit, f"#{unit}"), "name": title, "shown": a, "now": b},
                )  # fmt: skip


KEPT_FIGURES = {
    **WEEK_FIGURES,
    "distribution": gettext_lazy("phân bố điểm"),
    "timeline": gettext_lazy("số bài thi theo ngày và giờ"),
    "questions": gettext_lazy("số lần ra và số lần đúng của từng câu"),
}


def verify_kept_figures(*, contest, report: Report, contest_label: str) -> None:
    """The figures kept for the pages (quiz.figures) against a recount from the attempts; rounds
    still live are left to their staleness bound (said in a note)."""
    section = _("Số liệu lưu sẵn")
    names = dict(Organization.objects.values_list("pk", "name"))
    rounds = dict(Round.objects.filter(contest=contest).values_list("pk", "name"))
    for d in figures_differences(contest=contest):
        where = ", ".join(
            part for part in (
                rounds.get(d.round_id, f"#{d.round_id}") if d.round_id is not None else _("cả cuộc thi"),
                names.get(d.organization_id, f"#{d.organization_id}") if d.organization_id is not None else _("mọi đơn vị"),
                "" if d.organization_id is None else _("cả đơn vị cấp dưới") if d.subtree else _("riêng đơn vị"),
            ) if part
        )  # fmt: skip
        if not d.name:
            message = _("%(where)s: thiếu dòng số liệu lưu sẵn.") if d.fresh else _("%(where)s: dòng số liệu lưu sẵn thừa.")
            report.add(contest_label, section, message % {"where": where})
            continue
        report.add(
            contest_label, section,
            _("%(where)s: %(name)s lưu %(stored)s, tính lại %(now)s.")
            % {"where": where, "name": KEPT_FIGURES.get(d.name, d.name), "stored": _show(d.stored), "now": _show(d.fresh)},
        )  # fmt: skip


def _show(value) -> str:
    return "–" if value is None else str(value)


def _tiers(counts: dict) -> str:
    return ", ".join(f"{tier_label(t)}: {c}" for t, c in sorted(counts.items())) or "0"


def _verify_rate_base(table, *, tops: dict[int, int], report: Report, contest_label: str, section: str) -> None:
    """What each unit's participation rate is counted against: its member count where set, else
    the people on the member lists of its branch (walked by parent links), else nothing."""
    member_counts = dict(Organization.objects.values_list("pk", "member_count"))
    listed = Counter(tops[org_id] for org_id in Member.objects.values_list("organization_id", flat=True))
    for row in table:
        expected = member_counts.get(row.unit.pk) or listed.get(row.unit.pk) or None
        if row.members != expected:
            report.add(
                contest_label, section,
                _("%(unit)s: số người tính tỷ lệ tham gia hiển thị %(shown)s, tính lại %(now)s.")
                % {"unit": row.unit.name, "shown": _show(row.members), "now": _show(expected)},
            )  # fmt: skip
