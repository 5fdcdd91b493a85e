"""The question workbook: one format both ways (import_questions / export_questions, the admin's
upload and template). Header: Mã câu | Lĩnh vực | Câu hỏi | Phương án A … D [E, F] | Đáp án đúng | Nguồn."""

from dataclasses import dataclass, field
from zipfile import BadZipFile

from django.db import transaction
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils.exceptions import InvalidFileException

from contests.text import excel_text

from .enums import QuestionStatus
from .errors import SealedError
from .models import Field, Option, Question, RoundQuestion
from .services import question_is_sealed, question_upsert

LETTERS = "ABCDEF"
BASE_HEADERS = ["Mã câu", "Lĩnh vực", "Câu hỏi"]
OPTION_HEADERS = [f"Phương án {letter}" for letter in LETTERS]
TAIL_HEADERS = ["Đáp án đúng", "Nguồn"]


def headers(option_count: int = 4) -> list[str]:
    return BASE_HEADERS + OPTION_HEADERS[: max(4, option_count)] + TAIL_HEADERS


@dataclass
class ParsedQuestion:
    row: int
    code: str
    field_name: str
    text: str
    options: list[str]
    correct_index: int
    source: str


@dataclass
class ImportReport:
    rows: list[ParsedQuestion] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    created: int = 0
    updated: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def _clean(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text[1:] if text.startswith("'") and text[1:2] in ("=", "+", "-", "@") else text


def _max_length(model, field: str) -> int:
    return model._meta.get_field(field).max_length


def parse_workbook(file) -> ImportReport:
    """Read and check every row; nothing is written here."""
    report = ImportReport()
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except (InvalidFileException, BadZipFile, OSError, KeyError, ValueError):
        report.errors.append("Không đọc được tệp: cần một tệp Excel .xlsx theo mẫu.")
        return report
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    workbook.close()
    if not rows:
        report.errors.append("Tệp không có dữ liệu.")
        return report
    header = [_clean(c) for c in rows[0]]
    option_cols = [i for i, h in enumerate(header) if h in OPTION_HEADERS]
    try:
        col = {name: header.index(name) for name in BASE_HEADERS + TAIL_HEADERS}
    except ValueError:
        report.errors.append("Dòng 1 phải là dòng tiêu đề: " + " | ".join(headers()) + ".")
        return report
    if [header[i] for i in option_cols] != OPTION_HEADERS[: len(option_cols)] or len(option_cols) < 2:
        report.errors.append("Các cột phương án phải liên tiếp: Phương án A, Phương án B, … (tối đa F).")
        return report
    seen: dict[str, int] = {}
    for number, raw in enumerate(rows[1:], start=2):
        cells = [_clean(c) for c in raw] + [""] * len(header)
        if not any(cells):
            continue
        code, field_name, text = cells[col["Mã câu"]], cells[col["Lĩnh vực"]], cells[col["Câu hỏi"]]
        options = [cells[i] for i in option_cols]
        while options and not options[-1]:
            options.pop()
        answer, source = cells[col["Đáp án đúng"]].upper(), cells[col["Nguồn"]]
        problems = []
        if not code:
            problems.append("thiếu mã câu")
        elif code in seen:
            problems.append(f"mã câu {code} trùng với dòng {seen[code]}")
        if not field_name:
            problems.append("thiếu lĩnh vực")
        if not text:
            problems.append("thiếu nội dung câu hỏi")
        for label, value, limit in (
            ("mã câu", code, _max_length(Question, "code")),
            ("lĩnh vực", field_name, _max_length(Field, "name")),
            ("nội dung câu hỏi", text, _max_length(Question, "text")),
            ("nguồn", source, _max_length(Question, "source")),
            *((f"phương án {LETTERS[i]}", o, _max_length(Option, "text")) for i, o in enumerate(options)),
        ):
            if len(value) > limit:
                problems.append(f"{label} dài quá {limit:,} ký tự".replace(",", "."))
        if len(options) < 2 or len(options) > 6:
            problems.append("cần từ 2 đến 6 phương án")
        elif any(not o for o in options):
            problems.append("có phương án để trống giữa các phương án khác")
        if answer not in LETTERS[: len(options)] or not answer:
            problems.append(f"đáp án đúng «{answer}» phải là một chữ cái trong {', '.join(LETTERS[: max(len(options), 2)])}")
        if (
            code
            and code not in seen
            and Question.objects.filter(code=code).exists()
            and question_is_sealed(Question.objects.get(code=code).pk)
        ):
            problems.append(f"câu {code} đã nằm trong bộ câu hỏi được niêm phong, không thể sửa")
        if code:
            seen.setdefault(code, number)
        if problems:
            report.errors.append(f"Dòng {number}: " + "; ".join(problems) + ".")
            continue
        report.rows.append(ParsedQuestion(number, code, field_name, text, options, LETTERS.index(answer), source))
    if not report.rows and not report.errors:
        report.errors.append("Tệp không có câu hỏi nào.")
    return report


def import_questions(file, *, author=None) -> ImportReport:
    """Import (or update by code) every question of the workbook, or none if any row is bad."""
    report = parse_workbook(file)
    if not report.ok:
        return report
    try:
        with transaction.atomic():
            fields = {}
            for row in report.rows:
                if row.field_name not in fields:
                    fields[row.field_name], _ = Field.objects.get_or_create(name=row.field_name)
                _question, created = question_upsert(
                    code=row.code, field=fields[row.field_name], text=row.text, options=row.options,
                    correct_index=row.correct_index, source=row.source, status=QuestionStatus.APPROVED, author=author,
                )  # fmt: skip
                report.created += created
                report.updated += not created
    except SealedError as exc:
        report.errors.append(exc.message)
        report.created = report.updated = 0
    return report


def question_rows(questions):
    """Rows of the workbook for the given questions (options prefetched)."""
    for q in questions:
        options = sorted(q.options.all(), key=lambda o: o.letter)
        letters = {o.letter: o.text for o in options}
        correct = next((o.letter for o in options if o.is_correct), "")
        yield [q.code, q.field.name, q.text, *[letters.get(letter, "") for letter in LETTERS], correct, q.source]


def write_workbook(path_or_file, *, round=None, questions=None, template: bool = False) -> int:
    """Write the bank (or a round's pool, or an empty template). Returns the number of questions."""
    if template:
        questions = []
    elif questions is None:
        qs = Question.objects.select_related("field").prefetch_related("options").order_by("code")
        if round is not None:
            qs = qs.filter(pk__in=RoundQuestion.objects.filter(round=round).values("question_id"))
        questions = qs
    rows = list(question_rows(questions))
    width = max([4] + [sum(1 for c in r[3:9] if c) for r in rows])
    head = headers(width)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Câu hỏi"
    sheet.append(head)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for r in rows:
        values = r[:3] + r[3 : 3 + width] + r[9:]
        sheet.append([excel_text(v) for v in values])
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.data_type = "s"
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    widths = {"A": 10, "B": 24, "C": 60}
    for index in range(len(head)):
        letter = chr(ord("A") + index)
        sheet.column_dimensions[letter].width = widths.get(letter, 30)
    sheet.column_dimensions[chr(ord("A") + len(head) - 2)].width = 12
    sheet.freeze_panes = "A2"
    workbook.save(path_or_file)
    return len(rows)
