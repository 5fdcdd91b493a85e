"""File downloads built in memory: Excel and Word files the staff asked for."""

import io
from collections.abc import Callable

from django.http import HttpResponse

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "zip": "application/zip",
}


def download(filename: str, write: Callable[[io.BytesIO], object]) -> HttpResponse:
    """Call `write(buffer)` and send what it wrote as an attachment named `filename`."""
    buffer = io.BytesIO()
    write(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=CONTENT_TYPES[filename.rsplit(".", 1)[-1]])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
