"""The contest summary (the seed report's section I.2.1) computed from the data, as a DOCX draft
of the summary report."""

import datetime

from django.utils import timezone, translation
from django.utils.formats import number_format
from docx.shared import Mm, Pt

from contests.docx_party import PartyDocument
from quiz.enums import PrizeTier

from .selectors import unit_table, weekly_table

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


def summary_paragraphs(*, contest) -> tuple[str, list[str], list[str]]:
    weeks, total = weekly_table(contest=contest)
    headline = (
        f"Trong {len(weeks)} tuần đã có {vi_number(total.participants)} lượt người tham gia với {vi_number(total.attempts)} "
        f"lượt bài thi, trong đó có {vi_number(total.full_people)} lượt người với {vi_number(total.full_attempts)} lượt bài "
        f"trả lời đúng tất cả các câu hỏi. Bài trả lời đúng tất cả với thời gian nhanh nhất là {_seconds(total.fastest_full_ms)}."
    )
    week_lines = []
    for number, w in enumerate(weeks, start=1):
        line = f"Trong tuần thứ {number}, có {vi_number(w.participants)} người tham gia với {vi_number(w.attempts)} bài thi; "
        line += f"số bài đạt điểm tuyệt đối: {vi_number(w.full_attempts)} bài ({vi_number(w.full_people)} người)"
        if w.near_attempts:
            line += f", số bài thiếu một câu: {vi_number(w.near_attempts)} bài"
        week_lines.append(line + f"; bài hoàn thành nhanh nhất {_seconds(w.fastest_full_ms)}.")
    units = [unit_sentence(u) for u in unit_table(contest=contest, sort="-attempts") if u.attempts][:10]
    return headline, week_lines, units


def summary_docx(target, *, contest, today: datetime.date | None = None) -> None:
    """The draft of the summary report in the Party's document format (contests.docx_party):
    the header block, number, place and signer from the contest's settings, the figures from the
    selectors above."""
    with translation.override("vi"):
        headline, week_lines, units = summary_paragraphs(contest=contest)
        weeks, total = weekly_table(contest=contest)
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
        document.paragraph(space_after=Pt(0))
        if units:
            document.paragraph("Nhiều chi, đảng bộ cơ sở có số lượng người tham gia đông và chất lượng cao như:")
            for sentence in units:
                document.paragraph(f"- {sentence}")
        document.paragraph(f"Trên đây là báo cáo tổng kết {contest.name}.")
        document.closing(contest=contest)
        document.save(target)
