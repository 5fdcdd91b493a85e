import io

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from essays.files import MAX_DOCUMENT_BYTES

pytestmark = pytest.mark.django_db


def test_an_oversized_body_is_refused_before_it_is_read(client, contestant_user):
    client.force_login(contestant_user)
    body = io.BytesIO(b"x" * 16)  # the announced length decides; the body is never read

    response = client.generic(
        "POST", "/essays/new/", body.getvalue(), content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(settings.REQUEST_MAX_BODY_SIZE + 1),
    )  # fmt: skip

    assert response.status_code == 413
    assert "Dữ liệu gửi lên quá lớn" in response.content.decode()
    assert body.tell() == 0


def test_the_largest_legitimate_upload_fits_under_every_limit():
    # An essay document at its own limit, with room for the form around it.
    assert MAX_DOCUMENT_BYTES + 1024 * 1024 <= settings.REQUEST_MAX_BODY_SIZE
    # Files above this go to a temporary file, never wholly into memory.
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= 1024 * 1024
    # The longest essay (60,000 characters, 4 bytes each at worst) fits in the form fields' budget.
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE >= 60_000 * 4


def test_a_big_upload_under_the_cap_is_spooled_to_disk(contestant_user, settings):
    seen = {}

    def spy(request):
        from django.http import HttpResponse

        upload = request.FILES["file"]
        seen["on_disk"] = hasattr(upload, "temporary_file_path")
        return HttpResponse("ok")

    from django.urls import path

    settings.ROOT_URLCONF = type("Urls", (), {"urlpatterns": [path("spy/", spy)]})
    client = Client()
    client.post("/spy/", {"file": SimpleUploadedFile("a.pdf", b"%PDF" + b"0" * (2 * 1024 * 1024))})

    assert seen == {"on_disk": True}
