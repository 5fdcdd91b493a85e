"""Essay exports: the Excel list of every essay with its screening and scores, and the book of
published essays (DOCX). Anything a contestant typed is written as text, never as a formula
or markup."""

from django.utils import timezone, translation
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from contests.docx_party import PartyDocument
from contests.printing import print_title, sheet_print_setup
from contests.text import excel_text, markdown_plain

from . import rules
from .enums import IneligibleReason
from .judging import round_results
from .models import Essay, JudgingRound

CENTER, LEFT = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.LEFT


def plain(text: str) -> str:
    """User text without any markup (for DOCX and XLSX)."""
    return markdown_plain(text)


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
    sheet_print_setup(sheet, title=print_title(contest.name, "Bài dự thi viết"), widths=widths)
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
    """The book of published essays («tuyển tập»), laid out as the Party's documents are
    (contests.docx_party): a cover, a table of contents with each title, its authors and units and
    the page it starts on, then each essay on a new page with its title, authors, unit, prize and
    text. Prize winners first, in prize order (essays.selectors.published_essays). The book is
    public: only published essays, and their authors only where essays.rules allows the public to
    see them."""
    from accounts.selectors import organization_labels

    from .selectors import published_essays

    with translation.override("vi"):
        essays = list(published_essays(contest=contest).prefetch_related("authors__organization"))
        labels = organization_labels(a.organization for e in essays for a in e.authors.all())
        document = PartyDocument()
        _book_cover(document, contest=contest)
        document.page_break()
        document.paragraph("MỤC LỤC", align=CENTER, indent=False, size=Pt(16), bold=True, space_after=Pt(12))
        entries = [_BookEntry(essay, number, _byline(essay, labels)) for number, essay in enumerate(essays, start=1)]
        for entry in entries:
            line = document.paragraph(indent=False, align=LEFT, space_after=Pt(0), keep_with_next=True)
            document.run(line, f"{entry.number}. {plain(entry.essay.title)}", bold=True)
            document.page_reference(line, entry.bookmark)
            detail = ", ".join(part for part in [entry.byline, entry.prize] if part)
            if detail:
                document.paragraph(detail, indent=False, align=LEFT, size=Pt(12), italic=True).paragraph_format.left_indent = Cm(
                    0.6
                )
        if not entries:
            # The book holds published essays only: before the first is published it is empty, and says why.
            document.paragraph(
                "Chưa có bài viết nào được đăng trên trang cuộc thi. Tuyển tập chỉ gồm các bài đã đăng: "
                "hãy đăng bài rồi tải lại tuyển tập.",
                indent=False,
                italic=True,
            )
        for entry in entries:
            document.page_break()
            title = document.paragraph(
                plain(entry.essay.title), align=CENTER, indent=False, size=Pt(16), bold=True, keep_with_next=True,
                style="Heading 1",
            )  # fmt: skip
            document.bookmark(title, entry.bookmark, entry.number)
            if entry.byline:
                document.paragraph(entry.byline, align=CENTER, indent=False, italic=True, space_after=Pt(0), keep_with_next=True)
            if entry.prize:
                document.paragraph(entry.prize, align=CENTER, indent=False, bold=True, space_after=Pt(0), keep_with_next=True)
            document.paragraph("-----", align=CENTER, indent=False, space_after=Pt(12), keep_with_next=True)
            document.markdown(entry.essay.body, line_spacing=1.3)
        document.update_fields_on_open()
        document.save(target)
    return len(essays)


class _BookEntry:
    def __init__(self, essay, number: int, byline: str):
        self.essay, self.number, self.byline = essay, number, byline
        self.bookmark = f"bai_{number}"
        prize = getattr(essay, "prize", None)
        self.prize = str(prize.get_tier_display()) if prize is not None and prize.is_valid else ""


def _byline(essay, labels: dict[int, str]) -> str:
    """«Nguyễn Văn A, Trần Thị B – Đảng bộ Báo Yên Bái › Chi bộ Phóng viên»: the authors, each
    group followed by its unit's full name; empty where the public may not see the authors."""
    if not rules.is_published(essay):
        return ""
    groups: dict[str, list[str]] = {}
    for author in essay.authors.all():
        groups.setdefault(labels.get(author.organization_id, ""), []).append(plain(author.name))
    return "; ".join(", ".join(names) + (f" – {unit}" if unit else "") for unit, names in groups.items())


def _years(contest) -> str:
    first, last = contest.starts_on.year, contest.ends_on.year
    return str(first) if first == last else f"{first} – {last}"


def _book_cover(document, *, contest) -> None:
    """The cover: the organizer at the top, the book's name, the contest and its theme in the
    middle, the place and years at the foot."""
    if contest.doc_superior_body:
        document.paragraph(contest.doc_superior_body.upper(), align=CENTER, indent=False, space_after=Pt(0))
    organizer = contest.organizer_name or contest.doc_issuing_body
    document.paragraph(organizer.upper(), align=CENTER, indent=False, bold=True, space_after=Pt(0))
    document.paragraph("*", align=CENTER, indent=False, space_after=Pt(0)).paragraph_format.space_after = Pt(150)
    document.paragraph("TUYỂN TẬP", align=CENTER, indent=False, size=Pt(26), bold=True, space_after=Pt(6))
    document.paragraph("BÀI VIẾT DỰ THI", align=CENTER, indent=False, size=Pt(18), bold=True, space_after=Pt(24))
    document.paragraph(contest.name, align=CENTER, indent=False, size=Pt(16), bold=True, space_after=Pt(6))
    if contest.theme:
        document.paragraph(f"Chủ đề “{contest.theme}”", align=CENTER, indent=False, size=Pt(16), italic=True)
    place = f"{contest.doc_place}, {_years(contest)}" if contest.doc_place else _years(contest)
    document.paragraph(place, align=CENTER, indent=False, space_after=Pt(0)).paragraph_format.space_before = Pt(220)
