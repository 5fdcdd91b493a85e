"""Files of the writing contest: where private files live, checking uploads by their content, and
the blind copies judges get.

Attachments and export workbooks are private: they are stored under PRIVATE_MEDIA_ROOT (outside
MEDIA_ROOT, never under a URL) and only views that ask `essays.rules` serve them."""

import io
import re
import warnings
import zipfile

from django.utils.translation import gettext as _
from docx import Document
from lxml import etree
from PIL import Image, ImageOps, UnidentifiedImageError

from contests.storage import PrivateStorage, private_storage  # noqa: F401

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_UNZIPPED_BYTES = 100 * 1024 * 1024  # a DOCX that inflates beyond this is refused (zip bomb)
MAX_ZIP_MEMBERS = 2000

EXTENSIONS = {"pdf": "pdf", "docx": "docx", "jpeg": "jpg", "png": "png"}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "jpeg": "image/jpeg",
    "png": "image/png",
}


# --- Private storage: contests.storage (re-exported: migrations name essays.files.private_storage) --


# --- Upload checks ----------------------------------------------------------------------------------

_PDF_HEADER = re.compile(rb"%PDF-\d\.\d")
_STARTXREF = re.compile(rb"startxref\s+(\d+)\s*%%EOF")
_OBJ_HEADER = re.compile(rb"\s*\d+\s+\d+\s+obj\b")


def is_pdf(data: bytes) -> bool:
    """A PDF by its structure: the header, and at the end `startxref <offset> %%EOF` whose offset
    lands on a cross-reference table or stream inside the file."""
    if not _PDF_HEADER.match(data):
        return False
    matches = list(_STARTXREF.finditer(data, max(0, len(data) - 4096)))
    if not matches:
        return False
    offset = int(matches[-1].group(1))
    if not 0 < offset < len(data):
        return False
    at = data[offset : offset + 64]
    return at.lstrip().startswith(b"xref") or bool(_OBJ_HEADER.match(at))


def is_docx(data: bytes) -> bool:
    """A Word document: a zip with [Content_Types].xml and word/document.xml that python-docx opens."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            names = {info.filename for info in infos}
            if "[Content_Types].xml" not in names or "word/document.xml" not in names:
                return False
            if len(infos) > MAX_ZIP_MEMBERS or sum(info.file_size for info in infos) > MAX_UNZIPPED_BYTES:
                return False
        Document(io.BytesIO(data))
    except Exception:  # noqa: BLE001 - any failure to open it means it is not a DOCX we accept
        return False
    return True


def is_jpeg(data: bytes) -> bool:
    return data.startswith(b"\xff\xd8\xff") and b"\xff\xd9" in data


def is_png(data: bytes) -> bool:
    return data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR" and b"IEND" in data


def claimed_kind(head: bytes) -> str | None:
    """The kind a file claims to be by its first bytes: pdf, docx, jpeg, png, or None."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"PK\x03\x04"):
        return "docx"
    return None


CHECKS = {"pdf": is_pdf, "docx": is_docx, "jpeg": is_jpeg, "png": is_png}


def check_upload(upload) -> tuple[str | None, str | None]:
    """(kind, None) for an accepted file, or (None, a Vietnamese reason). The file is opened as
    what it claims to be: an HTML page that starts with «%PDF-» is not a PDF."""
    name = upload.name
    if upload.size > MAX_DOCUMENT_BYTES:
        return None, _("Tệp «%(name)s» lớn quá %(mb)d MB.") % {"name": name, "mb": MAX_DOCUMENT_BYTES // (1024 * 1024)}
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    kind = claimed_kind(data[:16])
    if kind is None:
        return None, _("Tệp «%(name)s» không phải DOCX, PDF, JPEG hoặc PNG.") % {"name": name}
    if not CHECKS[kind](data):
        problems = {
            "pdf": _("Tệp «%(name)s» không phải tệp PDF hợp lệ (thiếu cấu trúc của tệp PDF); hãy xuất lại tệp PDF."),
            "docx": _("Tệp «%(name)s» không phải tệp Word (DOCX) hợp lệ; hãy lưu lại tệp bằng Word ở dạng .docx."),
            "jpeg": _("Tệp «%(name)s» không phải ảnh JPEG hợp lệ."),
            "png": _("Tệp «%(name)s» không phải ảnh PNG hợp lệ."),
        }
        return None, problems[kind] % {"name": name}
    limit = MAX_PHOTO_BYTES if kind in ("jpeg", "png") else MAX_DOCUMENT_BYTES
    if upload.size > limit:
        return None, _("Tệp «%(name)s» lớn quá %(mb)d MB.") % {"name": name, "mb": limit // (1024 * 1024)}
    return kind, None


# --- Blind copies -----------------------------------------------------------------------------------


class BlindCopyError(Exception):
    """The file's metadata could not be removed safely: a judge must not get it as it is."""


def blind_name(*, code: str, number: int, kind: str) -> str:
    """A neutral file name for a judge: the essay's code and the file's number, e.g. BV-2022-0007-1.docx."""
    return f"{code}-{number}.{EXTENSIONS[kind]}"


def blind_copy(data: bytes, kind: str) -> bytes:
    """The file without the metadata that could name its author. Raises BlindCopyError."""
    return {"docx": _blind_docx, "pdf": _blind_pdf, "jpeg": _blind_jpeg, "png": _blind_png}[kind](data)


_CORE_EMPTY = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
    b' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"'
    b' xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/>'
)
_CUSTOM_EMPTY = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"'
    b' xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"/>'
)
_REL_TYPES = {
    "core-properties": "core",
    "extended-properties": "app",
    "custom-properties": "custom",
}
# Extended properties that can name a person or a machine; the rest (page and word counts) stay.
_APP_DROP = {"Company", "Manager", "HyperlinkBase", "Template"}
# Who wrote a comment or a tracked change, and who the people of people.xml are.
_PERSON_ATTRIBUTES = re.compile(rb"""\b(w:author|w:initials|w15:author|w15:userId|w15:providerId)=("[^"]*"|'[^']*')""")


def _package_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Part name -> "core" / "app" / "custom", read from the package relationships."""
    parts = {"docProps/core.xml": "core", "docProps/app.xml": "app", "docProps/custom.xml": "custom"}
    try:
        rels = etree.fromstring(archive.read("_rels/.rels"), parser=etree.XMLParser(resolve_entities=False, no_network=True))
    except (KeyError, etree.XMLSyntaxError):
        return parts
    for rel in rels:
        kind = _REL_TYPES.get(rel.get("Type", "").rsplit("/", 1)[-1])
        if kind:
            parts[rel.get("Target", "").lstrip("/")] = kind
    return parts


def _strip_app(xml: bytes) -> bytes:
    root = etree.fromstring(xml, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    for child in list(root):
        if etree.QName(child).localname in _APP_DROP:
            root.remove(child)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _blind_docx(data: bytes) -> bytes:
    """Core properties emptied (author, last modified by, title, dates…), the company, manager
    and template of the extended properties dropped, custom properties emptied, and the names of
    who wrote comments or tracked changes blanked. Every other part is copied as it is."""
    out = io.BytesIO()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
            parts = _package_parts(source)
            for info in source.infolist():
                content = source.read(info)
                role = parts.get(info.filename)
                if role == "core":
                    content = _CORE_EMPTY
                elif role == "custom":
                    content = _CUSTOM_EMPTY
                elif role == "app":
                    content = _strip_app(content)
                elif info.filename.startswith("word/") and info.filename.endswith(".xml"):
                    content = _PERSON_ATTRIBUTES.sub(rb'\1=""', content)
                target.writestr(info, content)
    except (zipfile.BadZipFile, etree.XMLSyntaxError, KeyError, ValueError) as exc:
        raise BlindCopyError(str(exc)) from exc
    return out.getvalue()


# PDF: opened and written again by pikepdf (qpdf). The document information dictionary goes, every
# XMP metadata stream goes (the document's and any page's or image's), applications' private data
# (/PieceInfo) goes, and comments lose their author (/T of a markup annotation); the file gets a
# new identifier computed from its content. Pages, fonts and images are written as they are. An
# encrypted PDF (even one that opens without a password) or one qpdf cannot read is refused.
_ANNOTATION_PERSON_KEYS = ("/T", "/M", "/CreationDate", "/NM")


def _blind_pdf(data: bytes) -> bytes:
    import pikepdf  # a C++ library: loaded when a judge first opens a PDF, not by every process

    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            if pdf.is_encrypted:
                raise BlindCopyError("encrypted")
            if "/Info" in pdf.trailer:
                del pdf.trailer["/Info"]
            for obj in pdf.objects:
                if isinstance(obj, pikepdf.Stream | pikepdf.Dictionary):
                    for key in ("/Metadata", "/PieceInfo"):
                        if key in obj:
                            del obj[key]
            for page in pdf.pages:
                for annotation in page.get("/Annots", []):
                    if annotation.get("/Subtype") == pikepdf.Name.Widget:  # a form field: /T is its name
                        continue
                    for key in _ANNOTATION_PERSON_KEYS:
                        if key in annotation:
                            del annotation[key]
            out = io.BytesIO()
            pdf.save(out, fix_metadata_version=False, deterministic_id=True, encryption=False)
    except pikepdf.PdfError as exc:
        raise BlindCopyError(str(exc)) from exc
    return out.getvalue()


# JPEG and PNG: decoded and encoded again by Pillow, so only the pixels (turned upright by their
# EXIF orientation) and the colour profile reach the judge: EXIF (camera owner, GPS, software),
# XMP, IPTC, comments and PNG text chunks are not copied. A JPEG keeps its quantization tables.
_MAX_BLIND_PIXELS = 50_000_000


def _reencode(data: bytes, kind: str) -> bytes:
    fmt = {"jpeg": "JPEG", "png": "PNG"}[kind]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format != fmt or image.width * image.height > _MAX_BLIND_PIXELS:
                    raise BlindCopyError(f"not a {fmt} within the caps")
                image.load()
                icc = image.info.get("icc_profile")
                turned = image.getexif().get(0x0112, 1) not in (0, 1)  # the EXIF orientation
                upright = ImageOps.exif_transpose(image) if turned else image
                out = io.BytesIO()
                # Nothing but the pixels and the profile: Pillow would carry a JPEG comment and XMP over.
                options = {"icc_profile": icc} if icc else {}
                if fmt == "JPEG":
                    quality = 95 if turned else "keep"  # the tables fit only the image as decoded
                    upright.save(out, format="JPEG", quality=quality, comment=b"", exif=b"", xmp=b"", **options)
                else:
                    upright.save(out, format="PNG", exif=b"", **options)
    except BlindCopyError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError,
            Image.DecompressionBombWarning) as exc:  # fmt: skip
        raise BlindCopyError(str(exc)) from exc
    return out.getvalue()


def _blind_jpeg(data: bytes) -> bytes:
    return _reencode(data, "jpeg")


def _blind_png(data: bytes) -> bytes:
    return _reencode(data, "png")
