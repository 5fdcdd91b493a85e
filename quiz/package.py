"""The question bank as a .zip: the workbook (quiz.excel) and the image files its column «Hình
ảnh» names. Read without ever writing a member to disk, inside caps (members, sizes, the ratio
of inflated to compressed size: a zip bomb is refused before it is inflated), member names that
could climb out of a folder refused; written by the export so that it imports again unchanged."""

import io
import posixpath
import zipfile
from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from contests.workbooks import inflates_suspiciously, too_big_message

from .excel import image_file_name, write_workbook
from .images import MAX_BYTES as MAX_IMAGE_BYTES
from .images import image_read

MAX_MEMBERS = 2000
MAX_IMAGES = 1000  # distinct image files; each is decoded and written again (quiz.images)
MAX_WORKBOOK_BYTES = 10 * 1024 * 1024
MAX_TOTAL_BYTES = 200 * 1024 * 1024  # everything inflated
MAX_RATIO = 100  # inflated / compressed, per member (contests.workbooks.inflates_suspiciously)
MAX_UPLOAD_BYTES = MAX_TOTAL_BYTES  # the .zip as given to `import_questions` (images are stored, not compressed)
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".gif")
WORKBOOK_NAME = "cau-hoi.xlsx"
IMAGE_FOLDER = "hinh-anh"


@dataclass
class Package:
    workbook: bytes
    images: dict[str, bytes] | None  # None: a bare workbook was uploaded
    error: str = ""


def is_zip_of_workbook(data: bytes) -> bool:
    """A .xlsx is itself a zip; a package is a zip without [Content_Types].xml at its root."""
    if not data.startswith(b"PK"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "[Content_Types].xml" not in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def _safe_name(name: str) -> bool:
    if not name or "\\" in name or "\x00" in name or name.startswith("/") or ":" in name.split("/", 1)[0]:
        return False
    return all(part not in ("", ".", "..") for part in name.rstrip("/").split("/"))


def _skipped(name: str) -> bool:
    """Folders and what archivers add (macOS resource forks, thumbnails)."""
    base = posixpath.basename(name.rstrip("/"))
    return name.endswith("/") or name.startswith("__MACOSX/") or base.startswith(".") or base.lower() == "thumbs.db"


def read_upload(data: bytes) -> Package:
    """A bare workbook, or a zip of one workbook and its images (names are the file names,
    without folders, as the column writes them). `error` says why a zip is refused."""

    def refuse(message: str) -> Package:
        return Package(b"", {}, message)

    if len(data) > MAX_UPLOAD_BYTES:
        return refuse(too_big_message(MAX_UPLOAD_BYTES))
    if not is_zip_of_workbook(data):
        return Package(data, None)

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_MEMBERS:
                return refuse(_("Tệp .zip có quá %(n)d tệp.") % {"n": MAX_MEMBERS})
            if sum(info.file_size for info in infos) > MAX_TOTAL_BYTES:
                return refuse(_("Tệp .zip giải nén ra quá %(mb)d MB.") % {"mb": MAX_TOTAL_BYTES // 1048576})
            workbooks, images = [], {}
            for info in infos:
                if not _safe_name(info.filename):
                    return refuse(_("Tệp .zip có tên tệp không hợp lệ: «%(name)s».") % {"name": info.filename[:200]})
                if _skipped(info.filename):
                    continue
                if inflates_suspiciously(info, max_ratio=MAX_RATIO):
                    return refuse(_("Tệp «%(name)s» trong .zip nén bất thường (nghi là bom nén).") % {"name": info.filename})
                base = posixpath.basename(info.filename)
                lower = base.lower()
                if lower.endswith(".xlsx"):
                    limit = MAX_WORKBOOK_BYTES
                elif lower.endswith(IMAGE_SUFFIXES):
                    limit = MAX_IMAGE_BYTES
                else:
                    return refuse(_("Tệp .zip chỉ được gồm một tệp Excel và các ảnh; «%(name)s» thì không.") % {"name": base})
                if info.file_size > limit:
                    return refuse(_("Tệp «%(name)s» trong .zip lớn quá %(mb)d MB.") % {"name": base, "mb": limit // 1048576})
                with archive.open(info) as member:
                    content = member.read(limit + 1)  # never more than the cap, whatever the header says
                if len(content) > limit:
                    return refuse(_("Tệp «%(name)s» trong .zip lớn quá %(mb)d MB.") % {"name": base, "mb": limit // 1048576})
                if lower.endswith(".xlsx"):
                    workbooks.append(content)
                elif base in images:
                    return refuse(_("Tệp .zip có hai ảnh cùng tên «%(name)s».") % {"name": base})
                elif len(images) >= MAX_IMAGES:
                    return refuse(
                        _("Tệp .zip có quá %(n)s ảnh; hãy chia thành nhiều tệp.")
                        % {"n": number_format(MAX_IMAGES, force_grouping=True)}
                    )
                else:
                    images[base] = content
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, RuntimeError):
        return refuse(_("Không đọc được tệp .zip."))
    if len(workbooks) != 1:
        return refuse(_("Tệp .zip phải có đúng một tệp Excel (.xlsx); tệp này có %(n)d.") % {"n": len(workbooks)})
    return Package(workbooks[0], images)


def write_package(buffer, *, round=None) -> int:
    """The bank (or a round's pool) as a zip: cau-hoi.xlsx with the image columns and
    hinh-anh/<sha256>.webp for each image. Returns the number of questions."""
    from .models import Question, RoundQuestion

    questions = Question.objects.select_related("field").prefetch_related("options").order_by("code")
    if round is not None:
        questions = questions.filter(pk__in=RoundQuestion.objects.filter(round=round).values("question_id"))
    questions = list(questions)
    workbook = io.BytesIO()
    count = write_workbook(workbook, questions=questions, images=True)
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(WORKBOOK_NAME, workbook.getvalue())
        written = set()
        for question in questions:
            name = image_file_name(question)
            if name and name not in written:
                archive.writestr(f"{IMAGE_FOLDER}/{name}", image_read(question.image.name), compress_type=zipfile.ZIP_STORED)
                written.add(name)
    return count
