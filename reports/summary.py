"""The contest summary (the seed report's section I.2.1) computed from the data, as a DOCX draft
of the summary report."""

import datetime

from django.utils import timezone, translation
from django.utils.formats import number_format
from docx.shared import Mm, Pt

from contests.docx_party import PartyDocument
from quiz.enums import PrizeTier

from .selectors import essay_figures, unit_table, weekly_table

TIER_WORDS = {
    PrizeTier.FIRST: "giải nhất",
    PrizeTier.SECOND: "giải nhì",
    PrizeTier.THIRD: "giải ba",
    PrizeTier.CONSOLATION: "giải khuyến khích",
}


def vi_number(n) -> str:
    return number_format(n, force_grouping=True)


def _seconds(ms) -> str:
    return f"{round(ms / 1000)} giây" if ms is not None else "–"


def unit_sentence(row) -> str:
    """«Đảng bộ Cục Thuế tỉnh có 1.413 bài thi, trong đó 01 giải nhì, 01 giải khuyến khích.»"""
    prizes = [f"{n:02d} {TIER_WORDS[tier]}" for tier in TIER_WORDS if (n := row.prizes.get(tier, 0))]
    text = f"{row.unit.name} có {vi_number(row.attempts)} bài thi"
    if row.full_attempts:
        text += f", {vi_number(row.full_attempts)} bài đạt điểm tuyệt đối"
    if prizes:
        text += ", trong đó " + ", ".join(prizes)
    return text + "."


def _numbered(n: int) -> str:
    """«01», «12»: how the report counts prizes and works."""
    return f"{n:02d}"


def summary_paragraphs(*, contest, figures=None) -> tuple[str, list[str], list[str]]:
    """The quiz part's sentences: the headline (the sums of the weeks, and the distinct people
    beside them), one line per week named as the table names it (its round's name, never its
    position), the ten busiest units. `figures` = (weeks, total, units) when the caller has them."""
    weeks, total, units = figures or (*weekly_table(contest=contest), unit_table(contest=contest, sort="-attempts"))
    headline = (
        f"Trong {len(weeks)} tuần đã có {vi_number(total.participants)} lượt người tham gia "
        f"({vi_number(total.people or 0)} người, mỗi người tính một lần dù thi nhiều tuần) với {vi_number(total.attempts)} "
        f"lượt bài thi, trong đó có {vi_number(total.full_people)} lượt người ({vi_number(total.full_people_distinct or 0)} "
        f"người) với {vi_number(total.full_attempts)} lượt bài trả lời đúng tất cả các câu hỏi. Bài trả lời đúng tất cả với "
        f"thời gian nhanh nhất là {_seconds(total.fastest_full_ms)}."
    )
    week_lines = []
    for w in weeks:
        line = f"{w.round.name}: có {vi_number(w.participants)} người tham gia với {vi_number(w.attempts)} bài thi; "
        line += f"số bài đạt điểm tuyệt đối: {vi_number(w.full_attempts)} bài ({vi_number(w.full_people)} người)"
        if w.near_attempts:
            line += f", số bài thiếu một câu: {vi_number(w.near_attempts)} bài"
        week_lines.append(line + f"; bài hoàn thành nhanh nhất {_seconds(w.fastest_full_ms)}.")
    unit_lines = [unit_sentence(u) for u in units if u.attempts][:10]
    return headline, week_lines, unit_lines


def essay_paragraphs(*, contest, units) -> list[str]:
    """The writing part's sentences (reports.selectors.essay_figures): essays received and from
    how many units, the screening and its reasons, each judging round, the prizes and their
    works, what is published — and that the essay book holds only published essays, so it is
    empty until one is. `units` are the unit table's rows (essays counted for the unit written
    about)."""
    from essays.enums import IneligibleReason

    figures = essay_figures(contest=contest)
    if not figures.submitted:
        return ["Phần thi viết chưa có bài dự thi nào được nộp."]
    from_units = sum(1 for u in units if u.essays_submitted)
    lines = [
        f"Ban Tổ chức nhận được {vi_number(figures.submitted)} bài dự thi viết về tập thể, cá nhân của "
        f"{vi_number(from_units)} chi, đảng bộ cơ sở."
    ]
    screening = f"Vòng sơ loại: {vi_number(figures.eligible)} bài đủ điều kiện dự thi"
    if figures.ineligible:
        reasons = dict(IneligibleReason.choices)
        why = "; ".join(f"{str(reasons.get(k, k)).lower()}: {vi_number(n)} bài" for k, n in figures.reasons)
        screening += f", {vi_number(figures.ineligible)} bài không đủ điều kiện" + (f" ({why})" if why else "")
    if figures.pending:
        screening += f"; còn {vi_number(figures.pending)} bài chưa sơ loại"
    lines.append(screening + ".")
    for r in figures.rounds:
        line = f"{r.name}: {vi_number(r.essays)} bài, {vi_number(r.judges)} giám khảo chấm"
        lines.append(line + (", đã kết thúc." if r.closed else ", đang chấm."))
    if figures.prizes:
        tiers = ", ".join(f"{_numbered(n)} {TIER_WORDS[t]}" for t in TIER_WORDS if (n := figures.tiers.get(t, 0)))
        lines.append(f"Ban Giám khảo đã chọn {_numbered(len(figures.prizes))} tác phẩm để trao giải, gồm {tiers}:")
        for prize in figures.prizes:
            by = f", tác giả {prize.authors}" if prize.authors else ""
            lines.append(f"- {TIER_WORDS.get(prize.tier, 'giải').capitalize()}: «{prize.title}» (mã {prize.code}){by}.")
    else:
        lines.append("Chưa có giải phần thi viết nào được xác định.")
    if figures.published:
        lines.append(
            f"{vi_number(figures.published)} bài đã được đăng trên trang cuộc thi; tuyển tập bài viết gồm các bài đã đăng."
        )
    else:
        lines.append(
            "Chưa có bài nào được đăng trên trang cuộc thi, nên tuyển tập bài viết (DOCX) còn trống: tuyển tập chỉ gồm "
            "các bài đã đăng."
        )
    return lines


def summary_docx(target, *, contest, today: datetime.date | None = None) -> None:
    """The draft of the summary report in the Party's document format (contests.docx_party):
    the header block, number, place and signer from the contest's settings, the figures from the
    selectors above: the quiz part (its sentences and the weekly table, each week named by its
    round as in the table), then the writing part."""
    with translation.override("vi"):
        weeks, total = weekly_table(contest=contest)
        units = unit_table(contest=contest, sort="-attempts")
        headline, week_lines, unit_lines = summary_paragraphs(contest=contest, figures=(weeks, total, units))
        document = PartyDocument()
        document.header_block(contest=contest, date=today or timezone.localdate())
        document.title("Báo cáo", f"Tổng kết {contest.name}")
        document.heading("Kết quả phần thi trắc nghiệm")
        document.paragraph(headline)
        for line in week_lines:
            document.paragraph(f"- {line}")
        headers = ["Tuần", "Lượt người", "Bài thi", "Bài đạt điểm tuyệt đối", "Bài thiếu một câu", "Nhanh nhất"]
        rows = [
            [label, vi_number(row.participants), vi_number(row.attempts), vi_number(row.full_attempts),
             vi_number(row.near_attempts), _seconds(row.fastest_full_ms)]
            for label, row in [*[(w.round.name, w) for w in weeks], ("Cộng", total)]
        ]  # fmt: skip
        table = document.table(headers, rows, widths=[Mm(43), Mm(23), Mm(23), Mm(27), Mm(25), Mm(24)],
                               numeric=range(1, 6))  # fmt: skip
        for cell in table.rows[-1].cells:  # the total row in bold, as it adds up the weeks above
            for run in cell.paragraphs[0].runs:
                run.bold = True
        document.paragraph(
            f"Dòng «Cộng» là tổng các tuần (lượt người); tính mỗi người một lần, {vi_number(total.people or 0)} người "
            f"đã tham gia, {vi_number(total.full_people_distinct or 0)} người có bài đạt điểm tuyệt đối.",
            space_after=Pt(0),
        )
        if unit_lines:
            document.paragraph("Nhiều chi, đảng bộ cơ sở có số lượng người tham gia đông và chất lượng cao như:")
            for sentence in unit_lines:
                document.paragraph(f"- {sentence}")
        document.heading("Kết quả phần thi viết")
        for line in essay_paragraphs(contest=contest, units=units):
            document.paragraph(line)
        document.paragraph(f"Trên đây là báo cáo tổng kết {contest.name}.")
        document.closing(contest=contest)
        document.save(target)
