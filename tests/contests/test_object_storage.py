"""Private files in S3-compatible object storage (OBJECT_STORAGE_BUCKET set), end to end against a
real HTTP S3 endpoint: moto's server, started here as a separate process (boto3 talks HTTP to it;
nothing is mocked in-process). An attachment uploaded through the view lands in the bucket and
is served only through the checking view; an export's workbook is written to and served from the
bucket and pruned from it; a question image round-trips; backup and restore carry the bucket's
objects; a 10 MB file streams without being held in memory."""

import io
import json
import os
import socket
import subprocess
import sys
import tarfile
import time
import tracemalloc
import urllib.error
import urllib.request
import uuid
from datetime import timedelta
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.enums import Role
from contests.storage import private_storage
from essays.enums import EssayStatus
from essays.models import EssayFile
from operations import backup as ops
from operations.housekeeping import exports_prune
from quiz.images import image_prepare
from quiz.models import Question
from quiz.services.attempts import attempt_start
from quiz.services.bank import question_image_set
from quiz.services.pool import round_pool_add
from quiz.services.rounds import round_approve
from reports.models import ExportJob
from tests.essays import samples
from tests.essays.factories import EssayFactory
from tests.factories import ContestFactory, contestant, staff_user
from tests.quiz.factories import QuestionFactory, RoundFactory
from tests.quiz.test_images import png
from tests.reports.test_figures import known_contest  # noqa: F401 - the shared fixture

ACCESS_KEY, SECRET_KEY = "contest-test-access", "contest-test-secret"  # moto accepts any pair


def _free_port() -> int:
    """A free port in 9000-9009 (kept for this server by convention), else any free port."""
    for port in [*range(9000, 9010), 0]:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return probe.getsockname()[1]
    raise RuntimeError("no free port")


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory):
    """moto's S3 server on 127.0.0.1, a separate process for the whole session."""
    port = _free_port()
    log = tmp_path_factory.mktemp("s3") / "server.log"
    with log.open("wb") as out:
        server = subprocess.Popen(  # noqa: S603 - fixed arguments
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "MOTO_ALLOW_NONEXISTENT_REGION": "false"},
        )
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1)  # noqa: S310 - our own server
            break
        except urllib.error.HTTPError:
            break  # it answers
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail(f"the S3 server did not start: {log.read_text()[-2000:]}")
            time.sleep(0.2)
    yield endpoint
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()


@pytest.fixture
def bucket(s3_endpoint, settings):
    """A new private bucket, and the settings pointing the private files at it."""
    name = f"contest-private-{uuid.uuid4().hex[:12]}"
    client = boto3.client(
        "s3", endpoint_url=s3_endpoint, aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
        region_name="us-east-1",
    )  # fmt: skip
    client.create_bucket(Bucket=name, ACL="private")
    settings.OBJECT_STORAGE_BUCKET = name
    settings.OBJECT_STORAGE_ENDPOINT = s3_endpoint
    settings.OBJECT_STORAGE_ACCESS_KEY = ACCESS_KEY
    settings.OBJECT_STORAGE_SECRET_KEY = SECRET_KEY
    settings.OBJECT_STORAGE_REGION = "us-east-1"
    settings.OBJECT_STORAGE_ACL = "private"
    assert private_storage().is_object_storage
    client.bucket = name
    yield client
    for key in _keys(client):
        client.delete_object(Bucket=name, Key=key)
    client.delete_bucket(Bucket=name)


def _keys(client) -> list[str]:
    pages = client.get_paginator("list_objects_v2").paginate(Bucket=client.bucket)
    return sorted(o["Key"] for page in pages for o in page.get("Contents", ()))


def _object(client, key) -> bytes:
    return client.get_object(Bucket=client.bucket, Key=key)["Body"].read()


def _anonymous_get(endpoint, bucket, key) -> int:
    try:
        return urllib.request.urlopen(f"{endpoint}/{bucket}/{key}", timeout=5).status  # noqa: S310
    except urllib.error.HTTPError as exc:
        return exc.code


def _nothing_on_disk(settings) -> bool:
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    return not root.exists() or not any(p.is_file() for p in root.rglob("*"))


# --- Attachments -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_attachment_uploaded_by_its_author_lands_in_the_private_bucket_and_only_the_checking_view_serves_it(
    client, bucket, s3_endpoint, settings
):
    essay = EssayFactory()
    content = samples.pdf()
    client.force_login(essay.submitter)

    client.post(reverse("essays:file_upload", args=[essay.pk]), {"file": SimpleUploadedFile("Bài viết.pdf", content)})

    record = EssayFile.objects.get(essay=essay)
    assert _keys(bucket) == [record.file.name]
    assert record.file.name.startswith("essays/") and record.file.name.endswith(f"{essay.code}-1.pdf")
    assert _object(bucket, record.file.name) == content
    grants = bucket.get_object_acl(Bucket=bucket.bucket, Key=record.file.name)["Grants"]
    assert [g["Permission"] for g in grants] == ["FULL_CONTROL"] and "URI" not in grants[0]["Grantee"]  # owner only
    assert _anonymous_get(s3_endpoint, bucket.bucket, record.file.name) == 403
    assert record.file.url == "" and private_storage().url(record.file.name) == ""  # no public, no presigned address
    assert _nothing_on_disk(settings)

    response = client.get(reverse("essays:file", args=[record.pk]))
    assert response.status_code == 200 and response.streaming
    assert b"".join(response.streaming_content) == content
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Length"] == str(len(content))
    assert (
        response["Content-Disposition"].startswith("attachment;")
        and "B%C3%A0i%20vi%E1%BA%BFt.pdf" in response["Content-Disposition"]
    )
    assert "no-store" in response["Cache-Control"]

    client.force_login(staff_user(Role.SECRETARIAT))
    assert b"".join(client.get(reverse("essays:file", args=[record.pk])).streaming_content) == content
    for stranger in (contestant(), EssayFactory().submitter, staff_user(Role.JUDGE)):
        client.force_login(stranger)
        assert client.get(reverse("essays:file", args=[record.pk])).status_code == 404
    client.logout()
    assert client.get(reverse("essays:file", args=[record.pk])).status_code in (302, 403, 404)


@pytest.mark.django_db
def test_two_attachments_with_one_name_are_two_objects_and_a_missing_object_is_a_404(client, bucket):
    essay = EssayFactory(status=EssayStatus.DRAFT)
    first = EssayFile(essay=essay, kind="pdf", original_name="a.pdf", size=3)
    first.file.save("same.pdf", ContentFile(b"one"), save=True)
    second = EssayFile(essay=essay, kind="pdf", original_name="b.pdf", size=3)
    second.file.save("same.pdf", ContentFile(b"two"), save=True)

    assert first.file.name != second.file.name  # never overwritten
    assert [_object(bucket, first.file.name), _object(bucket, second.file.name)] == [b"one", b"two"]

    bucket.delete_object(Bucket=bucket.bucket, Key=first.file.name)
    client.force_login(essay.submitter)
    assert client.get(reverse("essays:file", args=[first.pk])).status_code == 404


# --- Export workbooks ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_export_workbook_is_written_to_the_bucket_served_from_it_and_pruned_from_it(
    client,
    bucket,
    settings,
    known_contest,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    client.force_login(staff_user(Role.SECRETARIAT))
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/reports/exports/")
    job = ExportJob.objects.get()
    assert job.status == "done"
    assert _keys(bucket) == [job.file.name] and job.file.name.startswith("exports/")
    assert _nothing_on_disk(settings)

    response = client.get(f"/reports/exports/{job.pk}/file/")
    data = b"".join(response.streaming_content)
    assert data == _object(bucket, job.file.name)
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert len(list(load_workbook(io.BytesIO(data)).active.iter_rows(min_row=2))) == 6
    client.force_login(contestant())
    assert client.get(f"/reports/exports/{job.pk}/file/").status_code == 403

    ExportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(days=settings.EXPORT_RETENTION_DAYS + 1))
    assert exports_prune() == 1
    assert _keys(bucket) == [] and not ExportJob.objects.exists()


@pytest.mark.django_db
def test_a_10_mb_workbook_streams_from_the_bucket_without_being_held_in_memory(client, bucket):
    requester = staff_user(Role.SECRETARIAT)
    job = ExportJob.objects.create(kind="attempts", contest=ContestFactory(), requested_by=requester, status="done")
    blob = os.urandom(10 * 1024 * 1024)
    job.file.save("lon.xlsx", ContentFile(blob))
    del blob
    client.force_login(requester)

    warm = client.get(f"/reports/exports/{job.pk}/file/")  # what a first request imports is not counted
    assert len(b"".join(warm.streaming_content)) == 10 * 1024 * 1024
    tracemalloc.start()
    try:
        response = client.get(f"/reports/exports/{job.pk}/file/")
        assert response["Content-Length"] == str(10 * 1024 * 1024)
        chunks = iter(response.streaming_content)
        received = largest = len(next(chunks))
        read_from_bucket_at_first_block = getattr(response.private_file, "bytes_read", None)
        for chunk in chunks:
            received += len(chunk)
            largest = max(largest, len(chunk))
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert received == 10 * 1024 * 1024
    assert largest <= 64 * 1024  # one block at a time
    assert peak < 2 * 1024 * 1024, f"peak {peak} bytes while streaming 10 MB"
    # The object is read from the bucket as the client reads it, not downloaded first.
    assert read_from_bucket_at_first_block == 64 * 1024


# --- Question images -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_question_image_is_stored_once_in_the_bucket_and_served_to_those_who_may_see_it(client, bucket, settings):
    round = RoundFactory()
    questions = [QuestionFactory() for _ in range(20)]
    question_image_set(question=questions[0], image=image_prepare(png()), alt="Sơ đồ")
    question_image_set(question=questions[1], image=image_prepare(png()), alt="Cùng ảnh")
    question = Question.objects.get(pk=questions[0].pk)
    key = f"questions/{question.image_sha256}.webp"
    assert _keys(bucket) == [key]  # content-addressed: the same bytes once
    assert _nothing_on_disk(settings)
    round_pool_add(round=round, question_ids=[q.pk for q in questions])
    round_approve(round=round, by=staff_user(Role.ORGANIZER))
    round.refresh_from_db()
    player = contestant()
    attempt_start(round=round, user=player)
    url = f"/quiz/images/{question.image_sha256}.webp"

    client.force_login(player)
    response = client.get(url)
    assert response.status_code == 200 and response.content == _object(bucket, key)
    client.force_login(contestant())
    assert client.get(url).status_code == 404
    client.force_login(staff_user(Role.SECRETARIAT))
    assert client.get(url).content[8:12] == b"WEBP"


# --- Backup and restore ----------------------------------------------------------------------------------


def _drop_database():
    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA public CASCADE")
        cursor.execute("CREATE SCHEMA public")


def _attachments(n: int) -> dict[str, bytes]:
    essay = EssayFactory(status=EssayStatus.DRAFT)
    stored = {}
    for i in range(n):
        data = f"%PDF-1.4 tệp {i} ".encode() * (i + 1)
        record = EssayFile(essay=essay, kind="pdf", original_name=f"{i}.pdf", size=len(data))
        record.file.save(f"{essay.code}-{i}.pdf", ContentFile(data), save=True)
        stored[record.file.name] = data
    return stored


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_backup_reads_the_bucket_into_the_archive_and_restore_writes_it_back(bucket, settings, tmp_path):
    stored = _attachments(3)
    question_image_set(question=QuestionFactory(), image=image_prepare(png()), alt="Ảnh")
    stored.update({k: _object(bucket, k) for k in _keys(bucket) if k.startswith("questions/")})
    assert _keys(bucket) == sorted(stored)

    made = ops.backup_create(directory=tmp_path / "backups")

    manifest = json.loads((made.path / "manifest.json").read_text())
    assert manifest["files"]["private_backend"] == "s3" and manifest["files"]["count"] == len(stored)
    with tarfile.open(made.path / "files.tar") as tar:
        archived = {m.name.removeprefix("private_media/"): tar.extractfile(m).read() for m in tar if m.isfile()}
    assert archived == stored
    assert _nothing_on_disk(settings)

    _drop_database()
    for key in _keys(bucket):
        bucket.delete_object(Bucket=bucket.bucket, Key=key)
    report = ops.backup_restore(path=tmp_path / "backups")

    assert report.files == len(stored)
    assert {k: _object(bucket, k) for k in _keys(bucket)} == stored
    for record in EssayFile.objects.all():
        with record.file.open("rb") as handle:
            assert handle.read() == stored[record.file.name]
    assert _nothing_on_disk(settings)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_bucket_with_objects_and_force_replaces_them(bucket, tmp_path):
    stored = _attachments(1)
    made = ops.backup_create(directory=tmp_path)
    bucket.put_object(Bucket=bucket.bucket, Key="essays/stray.pdf", Body=b"not in the backup")
    _drop_database()

    with pytest.raises(ops.BackupError, match=f"s3://{bucket.bucket}.*đã có tệp"):
        ops.backup_restore(path=made.path)
    ops.backup_restore(path=made.path, force=True)

    assert _keys(bucket) == sorted(stored)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_backup_taken_on_disk_restores_into_the_bucket(bucket, settings, tmp_path):
    """The archive is the same on both backends: the way to move the private files to a bucket."""
    settings.OBJECT_STORAGE_BUCKET = ""
    assert not private_storage().is_object_storage
    stored = _attachments(2)
    assert all((Path(settings.PRIVATE_MEDIA_ROOT) / name).read_bytes() == data for name, data in stored.items())
    made = ops.backup_create(directory=tmp_path)
    assert made.manifest["files"]["private_backend"] == "local"

    settings.OBJECT_STORAGE_BUCKET = bucket.bucket
    _drop_database()
    ops.backup_restore(path=made.path)

    assert {k: _object(bucket, k) for k in _keys(bucket)} == stored
    assert EssayFile.objects.count() == 2


def test_a_restore_never_writes_outside_the_private_files(bucket, tmp_path):
    folder = tmp_path / "backup"
    folder.mkdir()
    with tarfile.open(folder / "files.tar", "w") as tar:
        for name, data in (("private_media/essays/ok.pdf", b"%PDF ok"), ("private_media/../escaped.txt", b"pwned")):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))

    with pytest.raises(ops.BackupError, match="outside"):
        ops._restore_files(ops.Backup(folder, {"files": {"file": "files.tar"}}))

    assert _keys(bucket) == ["essays/ok.pdf"]


def test_a_missing_object_is_file_not_found(bucket):
    with pytest.raises(FileNotFoundError):
        private_storage().open("essays/none.pdf")
    assert private_storage().exists("essays/none.pdf") is False
    name = private_storage().save("essays/x.pdf", ContentFile(b"x"))
    assert private_storage().exists(name) and private_storage().size(name) == 1
    private_storage().delete(name)
    with pytest.raises(ClientError):
        bucket.head_object(Bucket=bucket.bucket, Key=name)


@pytest.mark.parametrize(
    ("endpoint", "refused"),
    [("https://s3.example.vn", False), ("http://127.0.0.1:9000", False), ("http://s3.example.vn", True), ("", False)],
)
def test_check_deploy_refuses_a_plain_http_bucket_on_another_machine(settings, endpoint, refused):
    from contest_site.checks import fail_open_settings

    settings.DEBUG, settings.TRIAL_INSTALL = False, False
    settings.OBJECT_STORAGE_BUCKET, settings.OBJECT_STORAGE_ENDPOINT = "contest-private", endpoint

    ids = {e.id for e in fail_open_settings()}

    assert ("contest.E020" in ids) is refused
