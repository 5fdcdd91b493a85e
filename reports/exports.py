"""The secretariat's workbooks. Rows come from selectors/querysets; openpyxl writes them in
write-only (streaming) mode so 100,000+ attempts fit in little memory. Anything a user typed
is written as text, never as a formula."""

import csv
import datetime
import io

from django.db import connections, router
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
    labels = ATTEMPT_STATUS_LABELS
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


# --- The attempts as CSV -------------------------------------------------------------------------------
# The workbook above writes about 9,000 rows a second (openpyxl, 13 cells a row): a national
# season of 3.3 million attempts would take six minutes. The CSV holds the same rows and columns
# (weekly rounds, then practice, each round by its number, then by the time finished), written by
# PostgreSQL itself (COPY … TO STDOUT): the text fields made safe for Excel as `excel_text` does,
# times in the contest's zone, the duration as h:mm:ss. UTF-8 with a byte order mark, so Excel
# reads the diacritics. Elsewhere (SQLite: the demo) Python writes the same CSV.

CSV_BOM = "\ufeff".encode()
ATTEMPT_STATUS_LABELS = {"submitted": "Đã nộp", "expired": "Hết giờ, hệ thống tự nộp"}
# excel_text in SQL: the characters it drops, then a quote before what Excel would run.
_SQL_EXCEL_DROP = r"[\x01-\x08\x0b\x0c\x0e-\x1f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]"


def _sql_excel(expression: str) -> str:
    cleaned = f"regexp_replace(coalesce({expression}, ''), E'{_SQL_EXCEL_DROP}', '', 'g')"
    return f"(CASE WHEN {cleaned} ~ E'^[-=+@\\t\\r]' THEN chr(39) || {cleaned} ELSE {cleaned} END)"


def _csv_duration(ms) -> str:
    seconds = (ms or 0) // 1000
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def attempts_csv(target, *, contest, progress=None) -> int:
    """Every finished attempt of the contest as CSV into the binary file `target` (the columns
    of the workbook's «Bài thi», with a first column saying weekly or practice). Returns the rows."""
    using = router.db_for_read(Attempt)
    target.write(CSV_BOM)
    header = ["Loại", *(name for name, _w, _f in ATTEMPT_COLUMNS)]
    if connections[using].vendor != "postgresql":
        return _attempts_csv_python(target, contest=contest, header=header, progress=progress)
    ids = contest_attempts(contest=contest, kind=RoundKind.WEEKLY) | contest_attempts(contest=contest, kind=RoundKind.PRACTICE)
    inner, params = ids.values_list("pk").query.sql_with_params()
    zone = timezone.get_current_timezone_name()
    labels = " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in ATTEMPT_STATUS_LABELS.items())
    ms = "coalesce(a.duration_ms, 0)"
    # Every name here is the code's; the contest and the zone are parameters.
    sql = (
        f"SELECT CASE r.kind WHEN 'weekly' THEN '{WEEKLY_SHEET}' ELSE '{PRACTICE_SHEET}' END, a.id, "  # noqa: S608
        f"{_sql_excel('r.name')}, {_sql_excel('u.full_name')}, {_sql_excel('u.email')}, {_sql_excel('p.phone')}, "
        f"{_sql_excel('o.name')}, to_char(a.started_at AT TIME ZONE %s, 'DD/MM/YYYY HH24:MI:SS'), "
        "to_char(a.finished_at AT TIME ZONE %s, 'DD/MM/YYYY HH24:MI:SS'), "
        f"({ms} / 3600000)::text || ':' || lpad(mod({ms} / 60000, 60)::text, 2, '0') || ':' "
        f"|| lpad(mod({ms} / 1000, 60)::text, 2, '0'), a.score, a.question_count, "
        f"CASE a.status {labels} ELSE a.status END, {_sql_excel('host(a.ip_address)')} "
        "FROM quiz_attempt a JOIN quiz_round r ON r.id = a.round_id JOIN accounts_user u ON u.id = a.user_id "
        "LEFT JOIN accounts_profile p ON p.user_id = a.user_id "
        "LEFT JOIN accounts_organization o ON o.id = a.organization_id "
        f"WHERE a.id IN ({inner}) "
        "ORDER BY CASE r.kind WHEN 'weekly' THEN 0 ELSE 1 END, r.number, a.finished_at NULLS LAST, a.id"
    )
    text = io.TextIOWrapper(target, encoding="utf-8", newline="", write_through=True)
    text.write(",".join(header) + "\r\n")
    with connections[using].cursor() as cursor:
        query = cursor.mogrify(sql, [zone, zone, *params]).decode()
        cursor.copy_expert(f"COPY ({query}) TO STDOUT WITH (FORMAT csv)", text)
        count = cursor.rowcount
    text.detach()
    if progress:
        progress(count)
    return count


def _attempts_csv_python(target, *, contest, header, progress=None) -> int:
    text = io.TextIOWrapper(target, encoding="utf-8", newline="", write_through=True)
    writer = csv.writer(text)
    writer.writerow(header)
    count = 0
    for kind, title in ((RoundKind.WEEKLY, WEEKLY_SHEET), (RoundKind.PRACTICE, PRACTICE_SHEET)):
        rows = contest_attempts(contest=contest, kind=kind).values_list(
            "pk", "round__name", "user__full_name", "user__email", "user__profile__phone", "organization__name",
            "started_at", "finished_at", "duration_ms", "score", "question_count", "status", "ip_address",
        )  # fmt: skip
        for pk, round_name, name, email, phone, unit, started, finished, ms, score, n, status, ip in _by_round(rows):
            when = [f"{_local(t):%d/%m/%Y %H:%M:%S}" if t else "" for t in (started, finished)]
            writer.writerow([title, pk, *map(excel_text, (round_name, name, email, phone, unit)), *when, _csv_duration(ms),
                             score, n, ATTEMPT_STATUS_LABELS.get(status, status), excel_text(ip)])  # fmt: skip
            count += 1
            if progress and count % 2000 == 0:
                progress(count)
    text.detach()
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
    written = 0
    for person in absentees:  # any iterable: the unit's page streams them from the database
        written += 1
        standing = str(statuses.get(person.status, person.status)) if person.status else "Đã đăng ký, chưa có trong danh sách"
        sheet.append([person.full_name, person.phone, person.email, labels.get(person.organization_id, ""), person.position,
                      "Có" if person.is_party_member else "Không", standing])  # fmt: skip
    workbook.save(target)
    return written
