"""The secretariat's workbooks. Rows come from selectors/querysets; openpyxl writes them in
write-only (streaming) mode so 100,000+ attempts fit in little memory. Anything a user typed
is written as text, never as a formula."""

import datetime

from django.db.models import Q
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from contests.figures import RATE_EXCEL_FORMAT
from contests.printing import print_title, sheet_print_setup
from contests.text import excel_text
from quiz.enums import RoundKind
from quiz.models import Attempt, Round

from .selectors import unit_table, weekly_table


def _local(value):
    return timezone.localtime(value).replace(tzinfo=None) if value else None


class _Sheet:
    """A write-only sheet with a bold frozen header, column widths, typed cells and the page
    set-up every printed sheet has (contests.printing), `heading` in its page header."""

    def __init__(self, workbook, title, columns, *, heading: str):
        self.sheet = workbook.create_sheet(title[:31])
        for index, (_name, width, _fmt) in enumerate(columns, start=1):
            self.sheet.column_dimensions[get_column_letter(index)].width = width
        self.sheet.freeze_panes = "A2"
        sheet_print_setup(self.sheet, title=heading, widths=[width for _n, width, _f in columns])
        self.formats = [fmt for _n, _w, fmt in columns]
        header = []
        for name, _w, _f in columns:
            cell = WriteOnlyCell(self.sheet, value=name)
            cell.font = Font(bold=True)
            header.append(cell)
        self.sheet.append(header)

    def append(self, values):
        row = []
        for value, fmt in zip(values, self.formats):
            if fmt == "text":
                row.append(excel_text(value))
            elif fmt and value is not None:
                cell = WriteOnlyCell(self.sheet, value=value)
                cell.number_format = fmt
                row.append(cell)
            else:
                row.append(value)
        self.sheet.append(row)


DATETIME, DURATION = "dd/mm/yyyy hh:mm:ss", "[h]:mm:ss"


ATTEMPT_COLUMNS = [("Mã bài", 10, None), ("Tuần", 18, "text"), ("Họ và tên", 28, "text"), ("E-mail", 30, "text"),
                   ("Điện thoại", 14, "text"), ("Đơn vị", 45, "text"), ("Bắt đầu", 20, DATETIME), ("Nộp", 20, DATETIME),
                   ("Thời gian", 12, DURATION), ("Điểm", 8, None), ("Số câu", 8, None), ("Trạng thái", 18, "text"),
                   ("Địa chỉ IP", 16, "text")]  # fmt: skip
WEEKLY_SHEET, PRACTICE_SHEET = "Bài thi", "Thi thử"
FINISHED_AT = 7  # its place in the rows of attempts_workbook


def _round_name(round_id) -> str | None:
    return Round.objects.filter(pk=round_id).values_list("name", flat=True).first() if round_id else None


def contest_attempts(*, contest, kind: str = RoundKind.WEEKLY, round_id=None):
    """The finished attempts an export lists: the weekly rounds' (the same attempts as the
    dashboard's weekly table) or, apart, the practice set's."""
    qs = Attempt.objects.finished().filter(round__contest=contest, round__kind=kind, round__approved_at__isnull=False)
    return qs.filter(round_id=round_id) if round_id else qs


EXPORT_BATCH = 2000


def _by_round(rows, batch: int | None = None):
    """The rows (a values_list starting with "pk", with "finished_at" at FINISHED_AT) in the
    export's order — round by round, then by the time finished, then by id — read in batches by
    key (keyset), each batch a query of its own: no server-side cursor, which a connection pooler
    in transaction mode cannot keep between two fetches, and never more than one batch in memory.
    A batch is found through the index on (round, finished_at)."""
    batch = batch or EXPORT_BATCH
    rounds = Round.objects.filter(pk__in=rows.values("round_id")).order_by("number").values_list("pk", flat=True)
    for round_pk in list(rounds):
        in_round, last = rows.filter(round_id=round_pk), None
        while True:  # finished_at first (ascending), then the rows without one, as ORDER BY puts them
            page = in_round.filter(finished_at__isnull=False)
            if last is not None:
                # (finished_at, pk) > last, with the bound on finished_at alone for the index
                page = page.filter(finished_at__gte=last[FINISHED_AT]).filter(
                    Q(finished_at__gt=last[FINISHED_AT]) | Q(pk__gt=last[0])
                )
            page = list(page.order_by("finished_at", "pk")[:batch])
            yield from page
            if len(page) < batch:
                break
            last = page[-1]
        last_pk = 0
        while True:
            page = list(in_round.filter(finished_at__isnull=True, pk__gt=last_pk).order_by("pk")[:batch])
            yield from page
            if len(page) < batch:
                break
            last_pk = page[-1][0]


def attempts_workbook(target, *, contest, round_id=None, progress=None) -> int:
    """Every finished attempt, one row each, streamed: the weekly rounds on the first sheet (its
    rows add up to the dashboard's attempts), practice attempts on a sheet of their own. Returns
    the number of rows written."""
    workbook = Workbook(write_only=True)
    labels = {"submitted": "Đã nộp", "expired": "Hết giờ, hệ thống tự nộp"}
    round_name = _round_name(round_id)
    count = 0
    for title, kind in ((WEEKLY_SHEET, RoundKind.WEEKLY), (PRACTICE_SHEET, RoundKind.PRACTICE)):
        sheet = _Sheet(workbook, title, ATTEMPT_COLUMNS, heading=print_title(contest.name, round_name, title))
        rows = contest_attempts(contest=contest, kind=kind, round_id=round_id).values_list(
            "pk", "round__name", "user__full_name", "user__email", "user__profile__phone", "organization__name",
            "started_at", "finished_at", "duration_ms", "score", "question_count", "status", "ip_address",
        )  # fmt: skip
        for pk, round_name, name, email, phone, unit, started, finished, ms, score, n, status, ip in _by_round(rows):
            sheet.append([pk, round_name, name, email, phone, unit, _local(started), _local(finished),
                          datetime.timedelta(milliseconds=ms or 0), score, n, labels.get(status, status), ip])  # fmt: skip
            count += 1
            if progress and count % 2000 == 0:
                progress(count)
    workbook.save(target)
    return count


WEEK_COLUMNS = [("Tuần", 28, "text"), ("Lượt người", 12, None), ("Bài thi", 10, None), ("Bài điểm tuyệt đối", 18, None),
                ("Người điểm tuyệt đối", 20, None), ("Bài thiếu một câu", 18, None), ("Nhanh nhất", 12, DURATION)]  # fmt: skip
UNIT_COLUMNS = [("Đơn vị", 50, "text"), ("Số người tính tỷ lệ", 16, None), ("Người tham gia", 14, None),
                ("Tỷ lệ", 10, RATE_EXCEL_FORMAT), ("Bài thi", 10, None), ("Bài điểm tuyệt đối", 18, None),
                ("Giải Nhất", 10, None), ("Giải Nhì", 10, None), ("Giải Ba", 10, None), ("Giải Khuyến khích", 16, None),
                ("Bài viết nộp", 12, None), ("Bài viết đủ điều kiện", 18, None), ("Bài viết đoạt giải", 16, None)]  # fmt: skip
PEOPLE_ROW = "Số người (mỗi người một lần)"


def organizations_workbook(target, *, contest, round_id=None) -> int:
    """The weekly table (the sums of the weeks, then the distinct people across them) and the
    per-unit figures, the rate written as every page writes it (contests.figures)."""
    workbook = Workbook(write_only=True)
    weeks, total = weekly_table(contest=contest)
    sheet = _Sheet(workbook, "Theo tuần", WEEK_COLUMNS, heading=print_title(contest.name, "Theo tuần"))
    for row in [*weeks, total]:
        fastest = datetime.timedelta(milliseconds=row.fastest_full_ms) if row.fastest_full_ms is not None else None
        sheet.append([row.round.name if row.round else "Cộng", row.participants, row.attempts, row.full_attempts,
                      row.full_people, row.near_attempts, fastest])  # fmt: skip
    sheet.append([PEOPLE_ROW, total.people, None, None, total.full_people_distinct, None, None])
    units = unit_table(contest=contest, sort="-attempts")
    sheet = _Sheet(workbook, "Theo đơn vị", UNIT_COLUMNS, heading=print_title(contest.name, "Theo đơn vị"))
    for u in units:
        sheet.append([u.unit.name, u.members, u.participants, u.rate, u.attempts, u.full_attempts,
                      *(u.prizes.get(t, 0) for t in ("first", "second", "third", "consolation")),
                      u.essays_submitted, u.essays_eligible, u.essays_awarded])  # fmt: skip
    workbook.save(target)
    return len(units)


def absentees_workbook(target, *, absentees, labels: dict[int, str], heading: str = "") -> int:
    """The people of a unit who have not taken part: the member list's columns first (so the file
    can be corrected and imported back), then where each person stands. Every typed text goes
    through excel_text."""
    from accounts.enums import MemberStatus

    workbook = Workbook(write_only=True)
    heading = print_title(heading, "Chưa tham gia")
    sheet = _Sheet(workbook, "Chưa tham gia", [("Họ và tên", 28, "text"), ("Số điện thoại", 14, "text"), ("Email", 28, "text"),
                                                ("Đơn vị", 50, "text"), ("Chức vụ", 24, "text"), ("Đảng viên", 10, "text"),
                                                ("Tình trạng", 24, "text")], heading=heading)  # fmt: skip
    statuses = dict(MemberStatus.choices)
    for person in absentees:
        standing = str(statuses.get(person.status, person.status)) if person.status else "Đã đăng ký, chưa có trong danh sách"
        sheet.append([person.full_name, person.phone, person.email, labels.get(person.organization_id, ""), person.position,
                      "Có" if person.is_party_member else "Không", standing])  # fmt: skip
    workbook.save(target)
    return len(absentees)
