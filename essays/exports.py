"""Essay exports: the Excel list of every essay with its screening and scores, and the book of
published essays (DOCX). Anything a contestant typed is written as text, never as a formula
or markup."""

import html

import nh3
from django.utils import timezone
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from contests.text import excel_text

from . import rules
from .enums import IneligibleReason
from .judging import round_results
from .models import Essay, JudgingRound


def plain(text: str) -> str:
    """User text without any markup (for DOCX and XLSX)."""
    return html.unescape(nh3.clean(text or "", tags=set()))


def essays_workbook(target, *, contest) -> int:
    """Every essay of the contest, one row each, with screening and each round's scores. Names,
    e-mails and phones: only for whoever `rules.can_export_essays` (the view checks; the
    management command is the operators')."""
    rounds = list(JudgingRound.objects.filter(phase__contest=contest).order_by("order"))
    scores = {r.pk: {res.essay.pk: res for res in round_results(round=r)} for r in rounds}
    reasons = dict(IneligibleReason.choices)
    essays = (
        Essay.objects.filter(phase__contest=contest)
        .select_related("phase", "subject_organization", "submitter", "prize")
        .prefetch_related("authors__organization")
        .order_by("code")
    )
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Bài dự thi")
    headers = ["Mã bài", "Tên bài viết", "Viết về", "Tập thể, cá nhân được viết", "Đơn vị", "Tác giả", "Người gửi", "E-mail",
               "Trạng thái", "Nộp lúc", "Số chữ", "Sơ loại", "Lý do không đủ điều kiện"]  # fmt: skip
    for r in rounds:
        headers += [f"{r.name}: điểm TB", f"{r.name}: chuẩn hóa", f"{r.name}: hạng"]
    headers += ["Giải", "Đăng trên trang"]
    widths = [14, 50, 14, 36, 40, 40, 24, 28, 12, 18, 10, 18, 40] + [14] * (3 * len(rounds)) + [18, 18]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.append([_bold(sheet, h) for h in headers])
    count = 0
    for essay in essays:
        authors = "; ".join(f"{a.name} ({a.organization})" for a in essay.authors.all())
        submitted = timezone.localtime(essay.submitted_at).replace(tzinfo=None) if essay.submitted_at else None
        row = [essay.code, plain(essay.title), essay.get_subject_kind_display(), plain(essay.subject_name),
               str(essay.subject_organization), plain(authors), plain(essay.submitter.full_name), essay.submitter.email,
               essay.get_status_display()]  # fmt: skip
        row = [excel_text(v) for v in row]
        date_cell = WriteOnlyCell(sheet, value=submitted)
        date_cell.number_format = "dd/mm/yyyy hh:mm"
        row += [date_cell, essay.word_count, excel_text(essay.get_eligibility_display())]
        row.append(excel_text("; ".join(str(reasons.get(r, r)) for r in essay.screening_reasons)))
        for r in rounds:
            res = scores[r.pk].get(essay.pk)
            row += [res.mean, res.normalized, res.rank] if res and res.mean is not None else [None, None, None]
        prize = getattr(essay, "prize", None)
        counted = prize is not None and prize.is_valid  # a prize found not valid counts nowhere
        row += [excel_text(prize.get_tier_display()) if counted else "", "có" if essay.published_at else ""]
        sheet.append(row)
        count += 1
    workbook.save(target)
    return count


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


def _bold(sheet, value):
    cell = WriteOnlyCell(sheet, value=value)
    cell.font = Font(bold=True)
    return cell


def essays_book(target, *, contest) -> int:
    """The book of published essays: a title page, a table of contents and each essay with its
    title, authors and unit. Prize winners come first, in prize order."""
    from .selectors import published_essays

    essays = list(published_essays(contest=contest).prefetch_related("authors__organization"))
    document = Document()
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(contest.name.upper())
    run.bold = True
    subtitle = document.add_paragraph(f"Tuyển tập bài viết về chủ đề “{contest.theme}”")
    subtitle.alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_paragraph(contest.organizer_name).alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    document.add_heading("Mục lục", level=1)
    _toc_field(document)
    for number, essay in enumerate(essays, start=1):
        document.add_paragraph(f"{number}. {plain(essay.title)}")
    for essay in essays:
        document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        document.add_heading(plain(essay.title), level=1)
        if rules.is_published(essay):  # the book is public: authors only of published essays
            authors = "; ".join(f"{plain(a.name)} – {a.organization}" for a in essay.authors.all())
            document.add_paragraph(authors).runs[0].italic = True
        prize = getattr(essay, "prize", None)
        if prize is not None and prize.is_valid:
            document.add_paragraph(str(prize.get_tier_display())).runs[0].bold = True
        for block in plain(essay.body).split("\n\n"):
            block = block.strip()
            if block.startswith("## "):
                document.add_heading(block[3:], level=2)
            elif block:
                document.add_paragraph(" ".join(block.split()))
    document.save(target)
    return len(essays)


def _toc_field(document) -> None:
    """A Word table-of-contents field: Word fills in the page numbers when the file is opened."""
    paragraph = document.add_paragraph()
    run = paragraph.add_run()
    begin, instr, separate, end = (
        OxmlElement("w:fldChar"),
        OxmlElement("w:instrText"),
        OxmlElement("w:fldChar"),
        OxmlElement("w:fldChar"),
    )
    begin.set(qn("w:fldCharType"), "begin")
    instr.set(qn("xml:space"), "preserve")
    instr.text = 'TOC \\o "1-1" \\h \\z \\u'
    separate.set(qn("w:fldCharType"), "separate")
    end.set(qn("w:fldCharType"), "end")
    for element in (begin, instr, separate, end):
        run._r.append(element)
