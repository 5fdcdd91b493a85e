"""The question workbook: one format both ways (import_questions / export_questions, the admin's
upload and template). Header: Mã câu | Lĩnh vực | Câu hỏi | Phương án A … D [E, F] | Đáp án đúng | Nguồn
[| Hình ảnh | Mô tả hình ảnh].

Questions with images travel as a .zip: the workbook and the image files, the column «Hình ảnh»
naming a file of the zip (quiz.package reads and writes it)."""

import difflib
import unicodedata
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from contests.cleaning import clean_text, normalize_text
from contests.printing import print_title, sheet_print_setup
from contests.text import excel_text
from contests.workbooks import read_first_sheet

from .enums import QuestionStatus
from .errors import SealedError
from .models import Field, Option, Question, RoundQuestion
from .selectors import question_changes
from .services.bank import question_image_set, question_upsert

LETTERS = "ABCDEF"
BASE_HEADERS = ["Mã câu", "Lĩnh vực", "Câu hỏi"]
OPTION_HEADERS = [f"Phương án {letter}" for letter in LETTERS]
TAIL_HEADERS = ["Đáp án đúng", "Nguồn"]
IMAGE_HEADERS = ["Hình ảnh", "Mô tả hình ảnh"]
# Rows of one import (header excluded). A row costs ~2.5 ms to check: 5,000 rows stay well inside
# a request; a bigger bank goes in as several files (or through `import_questions`, same cap).
MAX_ROWS = 5_000


def headers(option_count: int = 4, *, images: bool = False) -> list[str]:
    return BASE_HEADERS + OPTION_HEADERS[: max(4, option_count)] + TAIL_HEADERS + (IMAGE_HEADERS if images else [])


@dataclass
class ParsedQuestion:
    row: int
    code: str
    field_name: str
    text: str
    options: list[str]
    correct_index: int
    source: str
    unchanged: bool = False
    image: object = None  # a quiz.images.PreparedImage to set, or None: the image stays as it is
    image_sha256: str | None = None  # the file's image as the bank would store it (None: no image given)
    image_alt: str | None = None  # None: the column is absent

    @property
    def correct_letter(self) -> str:
        """The right answer as the file writes it (B, not 2)."""
        return LETTERS[self.correct_index]


@dataclass
class ImportReport:
    rows: list[ParsedQuestion] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    created: int = 0
    updated: int = 0  # questions that changed
    unchanged: int = 0  # questions already in the bank exactly as in the file

    @property
    def ok(self) -> bool:
        return not self.errors


def _cell(value, *, label: str, multiline: bool = False) -> str:
    """A cell as clean text (contests.cleaning); ValidationError names the column."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = clean_text(value, multiline=multiline, label=label)
    return text[1:] if text.startswith("'") and text[1:2] in ("=", "+", "-", "@") else text


def _blank(raw) -> bool:
    return all(c is None or not str(c).strip() for c in raw)


def _max_length(model, field: str) -> int:
    return model._meta.get_field(field).max_length


def parse_workbook(file, *, images: dict[str, bytes] | None = None) -> ImportReport:
    """Read and check every row; nothing is written here. `images`: the image files of the zip
    the workbook came in (name → bytes), None for a bare workbook. Every image a row names is
    checked and written again here (quiz.images), before anything is imported."""
    report = ImportReport()
    sheet = read_first_sheet(file, max_rows=MAX_ROWS)
    if sheet.error:
        report.errors.append(sheet.error)
        return report
    rows = sheet.rows
    header = [normalize_text(c) for c in rows[0]]
    option_cols = [i for i, h in enumerate(header) if h in OPTION_HEADERS]
    try:
        col = {name: header.index(name) for name in BASE_HEADERS + TAIL_HEADERS}
    except ValueError:
        report.errors.append(_("Dòng 1 phải là dòng tiêu đề: %(h)s.") % {"h": " | ".join(headers())})
        return report
    if [header[i] for i in option_cols] != OPTION_HEADERS[: len(option_cols)] or len(option_cols) < 2:
        report.errors.append(_("Các cột phương án phải liên tiếp: Phương án A, Phương án B, … (tối đa F)."))
        return report
    image_col = header.index(IMAGE_HEADERS[0]) if IMAGE_HEADERS[0] in header else None
    alt_col = header.index(IMAGE_HEADERS[1]) if IMAGE_HEADERS[1] in header else None
    prepared: dict[str, object] = {}  # one check per file, however many rows name it
    errors: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(rows[1:], start=2):
        if _blank(raw):
            continue
        cells = list(raw) + [None] * len(header)
        problems: list[str] = []
        bad: set[int] = set()  # columns already reported for a refused character

        def take(index, *, multiline=False, cells=cells, problems=problems, bad=bad):
            try:
                return _cell(cells[index], label=header[index], multiline=multiline)
            except ValidationError as exc:
                problems.append(exc.messages[0].rstrip("."))
                bad.add(index)
                return ""

        code, field_name = take(col["Mã câu"]), take(col["Lĩnh vực"])
        text = take(col["Câu hỏi"], multiline=True)
        options = [take(i) for i in option_cols]
        answer, source = take(col["Đáp án đúng"]).upper(), take(col["Nguồn"])
        image_name = take(image_col) if image_col is not None else ""
        image_alt = take(alt_col) if alt_col is not None else None
        while options and not options[-1]:
            options.pop()
        image = image_sha256 = None
        if image_name:
            image, image_sha256 = _row_image(image_name, images, prepared, problems)
        if image_alt is not None and len(image_alt) > _max_length(Question, "image_alt"):
            problems.append(f"mô tả hình ảnh dài quá {_max_length(Question, 'image_alt'):,} ký tự".replace(",", "."))
        if not code:
            if col["Mã câu"] not in bad:
                problems.append(_("thiếu mã câu"))
        elif code in seen:
            problems.append(_("mã câu %(code)s trùng với dòng %(row)d") % {"code": code, "row": seen[code]})
        if not field_name and col["Lĩnh vực"] not in bad:
            problems.append(_("thiếu lĩnh vực"))
        if not text and col["Câu hỏi"] not in bad:
            problems.append(_("thiếu nội dung câu hỏi"))
        for label, value, limit in (
            (_("mã câu"), code, _max_length(Question, "code")),
            (_("lĩnh vực"), field_name, _max_length(Field, "name")),
            (_("nội dung câu hỏi"), text, _max_length(Question, "text")),
            (_("nguồn"), source, _max_length(Question, "source")),
            *(
                (_("phương án %(letter)s") % {"letter": LETTERS[i]}, o, _max_length(Option, "text"))
                for i, o in enumerate(options)
            ),
        ):
            if len(value) > limit:
                problems.append(
                    _("%(label)s dài quá %(limit)s ký tự") % {"label": label, "limit": number_format(limit, force_grouping=True)}
                )
        if not bad.intersection(option_cols):
            if len(options) < 2 or len(options) > 6:
                problems.append(_("cần từ 2 đến 6 phương án"))
            elif any(not o for o in options):
                problems.append(_("có phương án để trống giữa các phương án khác"))
            if (answer not in LETTERS[: len(options)] or not answer) and col["Đáp án đúng"] not in bad:
                problems.append(
                    _("đáp án đúng «%(answer)s» phải là một chữ cái trong %(letters)s")
                    % {"answer": answer, "letters": ", ".join(LETTERS[: max(len(options), 2)])}
                )
        if code:
            seen.setdefault(code, number)
        if problems:
            errors.append((number, _("Dòng %(row)d: %(problems)s.") % {"row": number, "problems": "; ".join(problems)}))
            continue
        report.rows.append(
            ParsedQuestion(
                number,
                code,
                field_name,
                text,
                options,
                LETTERS.index(answer),
                source,
                image=image,
                image_sha256=image_sha256,
                image_alt=image_alt,
            )  # fmt: skip
        )
    errors += _sealed_problems(report.rows)
    report.errors = [message for _number, message in sorted(errors, key=lambda e: e[0])]
    if not report.rows and not report.errors:
        report.errors.append(_("Tệp không có câu hỏi nào."))
    return report


def _row_image(name: str, images, prepared: dict, problems: list[str]):
    """(PreparedImage or None, its SHA-256) for the file a row names. The bytes of a file that
    is already a stored image (the bank's own export) are that image: nothing to write again."""
    import hashlib

    from .images import PreparedImage, image_prepare

    if images is None:
        problems.append(
            f"cột «Hình ảnh» ghi «{name}» nhưng tệp tải lên chỉ là tệp Excel; hãy gửi tệp .zip gồm tệp Excel và các ảnh"
        )
        return None, None
    data = images.get(name)
    if data is None:
        problems.append(f"không có ảnh «{name}» trong tệp .zip")
        return None, None
    if name not in prepared:
        raw_sha = hashlib.sha256(data).hexdigest()
        stored = Question.objects.filter(image_sha256=raw_sha).values("image_width", "image_height").first()
        if stored is not None:
            prepared[name] = (PreparedImage(b"", raw_sha, stored["image_width"], stored["image_height"]), raw_sha)
        else:
            try:
                image = image_prepare(data, name=name)
            except ValidationError as exc:
                prepared[name] = exc.messages[0].rstrip(".")
            else:
                prepared[name] = (image, image.sha256)
    result = prepared[name]
    if isinstance(result, str):
        problems.append(result[:1].lower() + result[1:])
        return None, None
    return result


def _fold(name: str) -> str:
    """A name without accents, case or extra spaces: «Điều lệ Đảng» and «dieu le dang» fold alike."""
    decomposed = unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).casefold().split())


def new_fields(report: ImportReport) -> list[tuple[str, str]]:
    """For the preview: (name, the closest existing field or "") for every field name of the
    file not in the bank — often a misspelling ("dieu le dang"), which the organizer fixes or
    agrees to create. One query."""
    rows = report.rows
    existing = list(Field.objects.values_list("name", flat=True))
    folded = {_fold(name): name for name in existing}
    found = []
    for name in sorted({row.field_name for row in rows} - set(existing)):
        close = difflib.get_close_matches(_fold(name), list(folded), n=1, cutoff=0.75)
        found.append((name, folded[close[0]] if close else ""))
    return found


def _sealed_problems(rows: list[ParsedQuestion]) -> list[tuple[int, str]]:
    """Mark the rows already in the bank exactly as written (normalized text compared), and
    refuse a change to a question of a sealed pool, naming the row and what would change.
    Three queries whatever the number of rows."""
    codes = [row.code for row in rows]
    existing = {q.code: q for q in Question.objects.filter(code__in=codes).select_related("field").prefetch_related("options")}
    sealed = set(
        RoundQuestion.objects.filter(question__code__in=codes, round__approved_at__isnull=False).values_list(
            "question__code", flat=True
        )
    )
    problems = []
    for row in rows:
        question = existing.get(row.code)
        if question is None:
            continue
        changes = question_changes(
            question, field_name=row.field_name, text=row.text, options=row.options, correct_index=row.correct_index,
            source=row.source, status=QuestionStatus.APPROVED, image_sha256=row.image_sha256, image_alt=row.image_alt,
        )  # fmt: skip
        if not changes:
            row.unchanged = True
        elif row.code in sealed:
            message = _(
                "Dòng %(row)d: câu %(code)s đã nằm trong bộ câu hỏi được niêm phong, không thể sửa (tệp khác ở: %(changes)s)."
            ) % {"row": row.row, "code": row.code, "changes": ", ".join(changes)}
            problems.append((row.row, message))
    return problems


def import_questions(file, *, author=None, images: dict[str, bytes] | None = None) -> ImportReport:
    """Import (or update by code) every question of the workbook, or none if any row is bad.
    A row that matches the bank exactly is counted as unchanged and not written, so a sealed
    round's own export imports again without complaint."""
    report = parse_workbook(file, images=images)
    if not report.ok:
        return report
    try:
        with transaction.atomic():
            fields = {}
            for row in report.rows:
                if row.unchanged:
                    report.unchanged += 1
                    continue
                if row.field_name not in fields:
                    fields[row.field_name], _created = Field.objects.get_or_create(name=row.field_name)
                question, created = question_upsert(
                    code=row.code, field=fields[row.field_name], text=row.text, options=row.options,
                    correct_index=row.correct_index, source=row.source, status=QuestionStatus.APPROVED, author=author,
                )  # fmt: skip
                if row.image is not None or row.image_alt is not None:
                    question_image_set(question=question, image=row.image, alt=row.image_alt)
                report.created += created
                report.updated += not created
    except SealedError as exc:
        report.errors.append(exc.message)
        report.created = report.updated = report.unchanged = 0
    return report


def image_file_name(question) -> str:
    """The name of a question's image inside the exported zip (its SHA-256: unique, safe)."""
    return f"{question.image_sha256}.webp" if question.image_sha256 else ""


def question_rows(questions, *, images: bool = False):
    """Rows of the workbook for the given questions (options prefetched)."""
    for q in questions:
        options = sorted(q.options.all(), key=lambda o: o.letter)
        letters = {o.letter: o.text for o in options}
        correct = next((o.letter for o in options if o.is_correct), "")
        row = [q.code, q.field.name, q.text, *[letters.get(letter, "") for letter in LETTERS], correct, q.source]
        yield row + ([image_file_name(q), q.image_alt] if images else [])


def write_workbook(path_or_file, *, round=None, questions=None, template: bool = False, images: bool = False) -> int:
    """Write the bank (or a round's pool, or an empty template). Returns the number of questions."""
    if template:
        questions = []
    elif questions is None:
        qs = Question.objects.select_related("field").prefetch_related("options").order_by("code")
        if round is not None:
            qs = qs.filter(pk__in=RoundQuestion.objects.filter(round=round).values("question_id"))
        questions = qs
    rows = list(question_rows(questions, images=images))
    width = max([4] + [sum(1 for c in r[3:9] if c) for r in rows])
    head = headers(width, images=images)
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
    sheet.column_dimensions[chr(ord("A") + len(head) - (4 if images else 2))].width = 12
    sheet.freeze_panes = "A2"
    contest = round.contest.name if round is not None else None
    listed = round.name if round is not None else ("Mẫu nhập câu hỏi" if template else "Ngân hàng câu hỏi")
    sheet_print_setup(sheet, title=print_title(contest, listed))
    workbook.save(path_or_file)
    return len(rows)
