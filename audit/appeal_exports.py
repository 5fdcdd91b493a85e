"""The appeals as a workbook for the secretariat (/reports/appeals.xlsx): the rows of the list page
under the same filters (audit.appeals.appeals_for_staff), one row per appeal with who filed it and
as what (a contestant, an essay's submitter, a co-author), the reason, the attachments, the
verdict and its reason. Written by the project's one workbook writer (`reports.exports._Sheet`:
typed cells, every text through `contests.text.excel_text`, the page set-up of
`contests.printing.sheet_print_setup`)."""

from django.db.models import Count
from django.utils import translation
from openpyxl import Workbook

from contests.printing import print_title
from reports.exports import DATETIME, _local, _Sheet

from .models import Appeal

APPEALS_SHEET = "Khiếu nại"
APPEAL_COLUMNS = [("Mã", 8, None), ("Gửi lúc", 18, DATETIME), ("Phần thi", 16, "text"), ("Kết quả khiếu nại", 40, "text"),
                  ("Người khiếu nại", 26, "text"), ("Tư cách", 16, "text"), ("E-mail", 28, "text"),
                  ("Điện thoại", 13, "text"), ("Nội dung khiếu nại", 60, "text"), ("Số tệp kèm", 9, None),
                  ("Trạng thái", 20, "text"), ("Giải quyết lúc", 18, DATETIME), ("Người giải quyết", 26, "text"),
                  ("Lý do kết luận", 60, "text")]  # fmt: skip


def appellant_standing(appeal: Appeal) -> str:
    """As what the person appealed: a contestant (quiz), the essay's submitter or a co-author."""
    if appeal.part == Appeal.Part.QUIZ:
        return "Thí sinh"
    return "Người nộp bài" if appeal.essay.submitter_id == appeal.appellant_id else "Đồng tác giả"


def _result(appeal: Appeal) -> str:
    if appeal.part == Appeal.Part.QUIZ:
        return appeal.round.name
    stage = appeal.judging_round.name if appeal.judging_round_id else "Sơ loại"
    return f"{appeal.essay.code} «{appeal.essay.title}» – {stage}"


def appeals_workbook(target, *, contest, appeals) -> int:
    """Write the appeals (a queryset from `appeals_for_staff`) to `target`. Three queries whatever
    their number (the appeals with their people, rounds and essays; their attachments counted
    in the same query). Returns the number of rows."""
    rows = appeals.select_related("decided_by").annotate(n_files=Count("files"))
    with translation.override("vi"):
        workbook = Workbook(write_only=True)
        sheet = _Sheet(workbook, APPEALS_SHEET, APPEAL_COLUMNS, heading=print_title(contest.name, "Danh sách khiếu nại"))
        count = 0
        for a in rows.iterator(chunk_size=1000):
            sheet.append([a.pk, _local(a.filed_at), a.get_part_display(), _result(a), a.appellant.full_name,
                          appellant_standing(a), a.appellant.email, a.appellant.phone or "", a.reason, a.n_files,
                          a.get_status_display(), _local(a.decided_at),
                          a.decided_by.full_name if a.decided_by else "", a.decision_reason])  # fmt: skip
            count += 1
        workbook.save(target)
    return count
