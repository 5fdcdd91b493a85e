"""Checking uploads by their content, not their name."""

import io
import zipfile

from django.utils.translation import gettext as _

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
MAX_PHOTO_BYTES = 5 * 1024 * 1024


def sniff(head: bytes, data_for_zip) -> str | None:
    """The kind of a file from its first bytes: pdf, docx, jpeg, png, or None."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(data_for_zip) as archive:
                if "word/document.xml" in archive.namelist():
                    return "docx"
        except zipfile.BadZipFile:
            return None
    return None


def check_upload(upload) -> tuple[str | None, str | None]:
    """(kind, None) for an accepted file, or (None, a Vietnamese reason)."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    data = io.BytesIO(upload.read()) if head.startswith(b"PK") else None
    upload.seek(0)
    kind = sniff(head, data)
    if kind is None:
        return None, _("Tệp «%(name)s» không phải DOCX, PDF, JPEG hoặc PNG.") % {"name": upload.name}
    limit = MAX_PHOTO_BYTES if kind in ("jpeg", "png") else MAX_DOCUMENT_BYTES
    if upload.size > limit:
        return None, _("Tệp «%(name)s» lớn quá %(mb)d MB.") % {"name": upload.name, "mb": limit // (1024 * 1024)}
    return kind, None
