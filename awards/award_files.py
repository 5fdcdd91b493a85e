"""The award decision (DOCX, the Party's format: contests.docx_party) and the bank transfer
workbook, written from an `awards.payments.AwardList` (which prizes, amounts and totals are
computed there, once)."""

import datetime

from django.utils import translation
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.shared import Mm, Pt
from openpyxl import Workbook

from contests.docx_party import PartyDocument, blank_date, decision_symbol
from contests.printing import print_title
from reports.exports import _Sheet
from reports.summary import vi_number

from .models import AwardPart
from .payments import AwardList, amount_in_words, bank_and_branch, payment_problem, transfer_content
from .winner_details import details_for_staff

MONEY = "#,##0"
GAP = "\u00a0" * 6  # room for the number the office writes in
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV", "XVI"]


def _roman(n: int) -> str:
    return ROMAN[n - 1] if n <= len(ROMAN) else str(n)


def _money(amount) -> str:
    return vi_number(amount) if amount is not None else "–"


def _subject(award: AwardList) -> str:
    contest = award.contest
    if award.scope.round is not None:
        return f"{award.scope.round.name}, {contest.name}"
    if award.scope.key == "essays":
        return f"{AwardPart.ESSAY.label.lower()}, {contest.name}"
    return contest.name


def _tier_phrase(total) -> str:
    return f"{total.count:02d} {total.tier_label} {AwardPart(total.part).label.lower()}"


def decision_docx(target, *, award: AwardList, today: datetime.date | None = None) -> None:
    """«Quyết định khen thưởng» in the Party's format: the header block with the number and the
    day left for the office, «QUYẾT ĐỊNH», the grounds, Điều 1–3, «Nơi nhận» and the signature
    block; then the annex «Danh sách kèm theo»: one table per list (name, unit, prize, amount,
    a «Cộng» row), and the totals per tier with the sum in words."""
    contest = award.contest
    year = (today or datetime.date.today()).year
    symbol = decision_symbol(contest)
    with translation.override("vi"):
        document = PartyDocument()
        document.header_block(contest=contest, date=None, symbol=symbol, number="")
        subject = _subject(award)
        document.title("Quyết định", f"Về việc khen thưởng các cá nhân đạt giải {subject}")
        center = WD_ALIGN_PARAGRAPH.CENTER
        document.paragraph(contest.doc_issuing_body.upper(), align=center, indent=False, bold=True)
        for line in [
            f"Căn cứ Thể lệ {contest.name};",
            f"Căn cứ Kế hoạch số ……… ngày ……… về việc tổ chức {contest.name};",
            "Căn cứ kết quả chấm thi và kết quả xác minh người đạt giải;",
            "Xét đề nghị của Tổ Thư ký giúp việc Ban Tổ chức Cuộc thi,",
        ]:
            document.paragraph(line, italic=True)
        document.paragraph("QUYẾT ĐỊNH:", align=center, indent=False, bold=True).paragraph_format.space_before = Pt(6)
        tiers = ", ".join(_tier_phrase(t) for t in award.totals)
        article1 = document.paragraph()
        document.run(article1, "Điều 1. ", bold=True)
        document.run(
            article1,
            f"Khen thưởng {len(award.lines):02d} giải cho các cá nhân đạt giải {subject}, gồm: {tiers} (có danh sách kèm theo).",
        )
        article2 = document.paragraph()
        document.run(article2, "Điều 2. ", bold=True)
        rates = "; ".join(f"{t.label}: {_money(t.amount)} đồng/giải" for t in award.totals)
        document.run(
            article2,
            f"Mức thưởng: {rates}. Tổng số tiền thưởng: {vi_number(award.total)} đồng (Bằng chữ: "
            f"{amount_in_words(award.total)}), được chuyển khoản đến người nhận giải, trích từ kinh phí tổ chức Cuộc thi.",
        )
        article3 = document.paragraph()
        document.run(article3, "Điều 3. ", bold=True)
        document.run(
            article3,
            "Quyết định có hiệu lực kể từ ngày ký. Tổ Thư ký giúp việc Ban Tổ chức, các cơ quan, đơn vị có liên quan và "
            "các cá nhân có tên tại Điều 1 căn cứ Quyết định thi hành./.",
        )
        document.closing(contest=contest, recipients=["Như Điều 3"])
        _annex(document, award=award, symbol=symbol, year=year)
        document.save(target)


def _annex(document: PartyDocument, *, award: AwardList, symbol: str, year: int) -> None:
    center = WD_ALIGN_PARAGRAPH.CENTER
    document.page_break()
    document.paragraph("DANH SÁCH", align=center, indent=False, bold=True, size=Pt(14), space_after=Pt(0))
    document.paragraph(f"cá nhân được khen thưởng, {_subject(award)}", align=center, indent=False, bold=True, space_after=Pt(0))
    document.paragraph(
        f"(Kèm theo Quyết định số {GAP}-{symbol}, {blank_date(year)})", align=center, indent=False, italic=True,
        space_after=Pt(0),
    )  # fmt: skip
    document.paragraph("-----", align=center, indent=False, space_after=Pt(12))
    widths = [Mm(13), Mm(40), Mm(54), Mm(33), Mm(25)]
    groups: dict[int, list] = {}
    for line in award.lines:
        groups.setdefault(line.group_index, []).append(line)
    for number, lines in enumerate(groups.values(), start=1):
        document.heading(f"{_roman(number)}. {lines[0].group}", indent=False)
        rows = [[str(i), line.name, line.unit, line.tier_label, _money(line.amount)] for i, line in enumerate(lines, start=1)]
        rows.append(["", "Cộng", f"{len(lines):02d} giải", "", _money(sum(line.amount or 0 for line in lines))])
        table = document.table(["STT", "Họ và tên", "Đơn vị", "Giải", "Số tiền (đồng)"], rows, widths=widths, numeric=(0, 4),
                               size=Pt(12))  # fmt: skip
        _bold_last_row(table)
        _rows_unbroken(table)
        document.paragraph("", space_after=Pt(6))
    document.heading(f"{_roman(len(groups) + 1)}. Tổng hợp theo giải", indent=False)
    rows = [[t.label, vi_number(t.count), _money(t.amount), _money(t.total)] for t in award.totals]
    rows.append(["Tổng cộng", vi_number(len(award.lines)), "", vi_number(award.total)])
    table = document.table(["Giải", "Số giải", "Mức thưởng (đồng)", "Thành tiền (đồng)"], rows,
                           widths=[Mm(75), Mm(20), Mm(35), Mm(35)], numeric=(1, 2, 3), size=Pt(12))  # fmt: skip
    _bold_last_row(table)
    _rows_unbroken(table)
    document.paragraph(
        f"Tổng số tiền thưởng: {vi_number(award.total)} đồng (Bằng chữ: {amount_in_words(award.total)}).", indent=False
    ).paragraph_format.space_before = Pt(6)


def _rows_unbroken(table) -> None:
    """A winner's row never splits across two pages."""
    for row in table.rows:
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def _bold_last_row(table) -> None:
    for cell in table.rows[-1].cells:
        for run in cell.paragraphs[0].runs:
            run.bold = True


# --- the bank transfer workbook -----------------------------------------------------------------

TRANSFER_COLUMNS = [("STT", 6, None), ("Họ và tên", 26, "text"), ("Chủ tài khoản", 26, "text"), ("Số tài khoản", 20, "text"),
                    ("Ngân hàng", 22, "text"), ("Chi nhánh", 24, "text"), ("Số tiền (đồng)", 14, MONEY),
                    ("Nội dung chuyển khoản", 60, "text"), ("Giải", 18, "text"), ("Đợt", 24, "text")]  # fmt: skip
TOTAL_COLUMNS = [("Phần thi", 24, "text"), ("Giải", 18, "text"), ("Mức thưởng (đồng)", 16, MONEY), ("Số giải", 9, None),
                 ("Thành tiền (đồng)", 16, MONEY), ("Chuyển khoản được", 12, None), ("Số tiền chuyển khoản", 16, MONEY),
                 ("Chưa có thông tin", 12, None), ("Số tiền chưa chuyển", 16, MONEY)]  # fmt: skip
MISSING_COLUMNS = [("STT", 6, None), ("Họ và tên", 26, "text"), ("Đơn vị", 40, "text"), ("Giải", 18, "text"),
                   ("Đợt", 24, "text"), ("Số tiền (đồng)", 14, MONEY), ("Lý do", 28, "text"),
                   ("Điện thoại", 14, "text"), ("E-mail", 28, "text")]  # fmt: skip
TRANSFER_SHEET, TOTALS_SHEET, MISSING_SHEET = "Chuyển khoản", "Tổng theo giải", "Chưa có thông tin"


def payments_workbook(target, *, award: AwardList, viewer) -> dict:
    """The bank transfer list: one row per winner who can be paid (name, account holder, account,
    bank, branch, amount, transfer content), a «Cộng» row; the totals per tier (all prizes, paid
    by transfer or not yet); the winners who cannot be paid yet and why — never a row with a blank
    account. Opening the winners' details is logged for `viewer` (the caller checked
    `rules.can_see_winner_details`). Returns the counts {"paid": n, "missing": m}."""
    contest = award.contest
    rows = [line.details for line in award.lines if line.details is not None]
    plain = details_for_staff(details=rows, viewer=viewer, where="payments") if rows else {}
    workbook = Workbook(write_only=True)
    scope = award.scope.label
    pay = _Sheet(workbook, TRANSFER_SHEET, TRANSFER_COLUMNS, heading=print_title(contest.name, scope, "Danh sách chuyển khoản"))
    missing_lines, by_tier = [], {}
    paid = 0
    for line in award.lines:
        details = plain.get(line.details.pk) if line.details is not None else None
        problem = payment_problem(details)
        tally = by_tier.setdefault((line.part, line.tier), [0, 0, 0, 0])
        if problem:
            missing_lines.append((line, problem))
            tally[2] += 1
            tally[3] += line.amount
            continue
        paid += 1
        tally[0] += 1
        tally[1] += line.amount
        bank, branch = bank_and_branch(details["bank_name"])
        pay.append([paid, line.payee.full_name, details.get("account_holder", ""), details["bank_account"], bank, branch,
                    line.amount, transfer_content(line=line, contest=contest), line.tier_label, line.group])  # fmt: skip
    pay.append([None, "Cộng", f"{paid} người", None, None, None, sum(t[1] for t in by_tier.values()), None, None, None])
    totals = _Sheet(workbook, TOTALS_SHEET, TOTAL_COLUMNS, heading=print_title(contest.name, scope, "Tổng theo giải"))
    for t in award.totals:
        done, done_sum, left, left_sum = by_tier.get((t.part, t.tier), [0, 0, 0, 0])
        totals.append([AwardPart(t.part).label, t.tier_label, t.amount, t.count, t.total, done, done_sum, left,
                       left_sum])  # fmt: skip
    sums = [sum(v[i] for v in by_tier.values()) for i in range(4)]
    totals.append(["Cộng", None, None, len(award.lines), award.total, *sums])
    apart = _Sheet(workbook, MISSING_SHEET, MISSING_COLUMNS, heading=print_title(contest.name, scope, "Chưa có thông tin"))
    for number, (line, problem) in enumerate(missing_lines, start=1):
        apart.append([number, line.payee.full_name, line.unit, line.tier_label, line.group, line.amount, problem, line.phone,
                      line.payee.email])  # fmt: skip
    workbook.save(target)
    return {"paid": paid, "missing": len(missing_lines)}
