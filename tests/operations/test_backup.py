"""Backups: the demo backed up, everything dropped, restored, verify_results passes and every
private file reads back; a damaged backup or a database in use is refused."""

import hashlib
import io
import json
import shutil
import tarfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection
from PIL import Image

from essays.models import Essay, EssayFile
from operations import backup as ops
from quiz.errors import QuizError
from quiz.images import image_prepare, image_read
from quiz.models import Question
from quiz.services.bank import question_image_set


def _png(colour) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, format="PNG")
    return out.getvalue()


def _demo_with_files() -> tuple[dict[int, bytes], dict[int, str]]:
    """seed_demo, then attachments on three essays and images on three questions that no sealed
    round holds (through the service that guards them)."""
    call_command("seed_demo", force=True)
    attachments = {}
    for i, essay in enumerate(Essay.objects.order_by("pk")[:3]):
        data = f"%PDF-1.4 bài viết {essay.code} {i}".encode()
        record = EssayFile(essay=essay, kind="pdf", original_name=f"Bài {i}.pdf", size=len(data))
        record.file.save(f"{essay.code}-backup-{i}.pdf", ContentFile(data), save=False)
        EssayFile.objects.bulk_create([record])  # screened essays are frozen: as stored before screening
        attachments[EssayFile.objects.get(essay=essay, file=record.file.name).pk] = data
    images = {}
    for question in Question.objects.order_by("-pk"):
        if len(images) == 3:
            break
        try:
            question_image_set(question=question, image=image_prepare(_png((len(images) * 80, 30, 200))), alt="Ảnh")
        except QuizError:
            continue  # sealed
        images[question.pk] = Question.objects.get(pk=question.pk).image_sha256
    assert len(attachments) == 3 and len(images) == 3
    return attachments, images


def _files_on_disk(settings) -> list[str]:
    roots = (Path(settings.PRIVATE_MEDIA_ROOT), Path(settings.MEDIA_ROOT))
    return sorted(f"{root.name}/{p.relative_to(root)}" for root in roots for p in root.rglob("*") if p.is_file())


def _drop_everything(settings):
    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA public CASCADE")
        cursor.execute("CREATE SCHEMA public")
    for root in (settings.PRIVATE_MEDIA_ROOT, settings.MEDIA_ROOT):
        shutil.rmtree(root, ignore_errors=True)
        Path(root).mkdir(parents=True)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_backup_of_the_demo_restores_into_an_empty_database_and_verifies(settings, tmp_path):
    attachments, images = _demo_with_files()
    essays = Essay.objects.count()

    made = ops.backup_create(directory=tmp_path / "backups")

    manifest = json.loads((made.path / "manifest.json").read_text())
    assert manifest["database"]["sha256"] == hashlib.sha256((made.path / "database.dump").read_bytes()).hexdigest()
    on_disk = _files_on_disk(settings)
    assert len(on_disk) >= len(attachments) + len(images)  # and what seed_demo writes
    assert manifest["files"]["count"] == len(on_disk)
    assert manifest["app"]["migrations"]["quiz"].startswith("00")
    assert ops.last_backup_age_seconds(tmp_path / "backups") < 600
    with pytest.raises(ops.BackupError, match="đã có bảng"):
        ops.backup_restore(path=tmp_path / "backups")  # the live database is never overwritten by mistake

    _drop_everything(settings)
    assert connection.introspection.table_names() == []
    report = ops.backup_restore(path=tmp_path / "backups")

    assert report.files == len(on_disk)
    assert _files_on_disk(settings) == on_disk
    assert Essay.objects.count() == essays
    call_command("verify_results")  # CommandError on any mismatch
    for pk, data in attachments.items():
        with EssayFile.objects.get(pk=pk).file.open("rb") as handle:
            assert handle.read() == data
    for pk, sha in images.items():
        question = Question.objects.get(pk=pk)
        assert hashlib.sha256(image_read(question.image.name)).hexdigest() == sha


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_backup_whose_checksum_does_not_match(settings, tmp_path):
    Path(settings.PRIVATE_MEDIA_ROOT, "essays").mkdir(parents=True)
    Path(settings.PRIVATE_MEDIA_ROOT, "essays", "a.pdf").write_bytes(b"%PDF original")
    made = ops.backup_create(directory=tmp_path)
    tar = made.path / "files.tar"
    data = bytearray(tar.read_bytes())
    data[data.index(b"%PDF original")] ^= 1  # one flipped bit in an attachment
    tar.write_bytes(bytes(data))

    with pytest.raises(CommandError, match="không khớp mã kiểm tra"):
        call_command("restore", "--dir", str(made.path), "--force")

    assert connection.introspection.table_names() != []  # nothing was touched
    assert Path(settings.PRIVATE_MEDIA_ROOT, "essays", "a.pdf").read_bytes() == b"%PDF original"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_folder_with_files_and_force_replaces_them(settings, tmp_path):
    Path(settings.PRIVATE_MEDIA_ROOT).mkdir(parents=True)
    Path(settings.PRIVATE_MEDIA_ROOT, "kept.pdf").write_bytes(b"in the backup")
    made = ops.backup_create(directory=tmp_path)
    _drop_everything(settings)
    Path(settings.PRIVATE_MEDIA_ROOT, "stray.pdf").write_bytes(b"not in the backup")

    with pytest.raises(ops.BackupError, match="đã có tệp"):
        ops.backup_restore(path=made.path)
    ops.backup_restore(path=made.path, force=True)

    assert sorted(p.name for p in Path(settings.PRIVATE_MEDIA_ROOT).iterdir()) == ["kept.pdf"]
    assert "quiz_attempt" in connection.introspection.table_names()


def _fake_backup(root: Path, when: datetime) -> Path:
    path = root / when.strftime(ops.NAME_FORMAT)
    path.mkdir(parents=True)
    (path / "manifest.json").write_text(json.dumps({"format": 1, "created_at": when.isoformat()}))
    return path


def test_retention_keeps_the_newest_of_each_recent_day_and_week(tmp_path, settings):
    now = datetime(2026, 12, 7, 20, 0, tzinfo=UTC)  # a Monday
    made = [_fake_backup(tmp_path, now - timedelta(hours=6 * i)) for i in range(4 * 7 * 6)]  # 6 weeks, 4 a day
    unfinished = tmp_path / "20261101T000000Z"
    unfinished.mkdir()
    settings.BACKUP_KEEP_DAILY, settings.BACKUP_KEEP_WEEKLY = 3, 3

    removed = ops.backups_prune(directory=tmp_path, unfinished_after=timedelta(0))

    kept = sorted(p.name for p in tmp_path.iterdir())
    # the newest of today, yesterday and the day before; of this week, last week (Sunday 6th,
    # already kept) and the week before (Sunday 29th)
    assert kept == ["20261129T200000Z", "20261205T200000Z", "20261206T200000Z", "20261207T200000Z"]
    assert len(removed) == len(made) - 4 + 1
    assert ops.backups_prune(directory=tmp_path) == []  # idempotent
    assert ops.last_backup_age_seconds(tmp_path, now=now + timedelta(hours=2)) == 2 * 3600


def test_last_backup_age_is_none_without_a_finished_backup(tmp_path):
    (tmp_path / "20261207T000000Z").mkdir()  # no manifest: unfinished
    assert ops.last_backup_age_seconds(tmp_path) is None


def test_a_backup_from_a_newer_release_is_not_restored_under_older_code(tmp_path):
    path = _fake_backup(tmp_path, datetime(2026, 12, 7, tzinfo=UTC))
    manifest = json.loads((path / "manifest.json").read_text())
    manifest["app"] = {"migrations": {"quiz": "0099_from_the_future", "auth": "0012_alter_user_first_name_max_length"}}
    backup = ops.Backup(path, manifest)

    with pytest.raises(ops.BackupError, match="quiz.0099_from_the_future"):
        ops.backup_check_code(backup)
    manifest["app"]["migrations"]["quiz"] = "0001_initial"
    ops.backup_check_code(ops.Backup(path, manifest))  # an older backup is fine: migrate after restoring


def test_files_are_restored_only_inside_their_root(settings, tmp_path):
    """The tar is read by hand (Debian's Python 3.11.2 has no extraction filter): a regular file
    lands under its root; a member that climbs out with `..` stops the restore."""
    folder = tmp_path / "backup"
    folder.mkdir()
    heads = dict(ops._file_roots())
    head = next(iter(heads))
    with tarfile.open(folder / "files.tar", "w") as tar:
        for name, data in ((f"{head}/essays/ok.pdf", b"%PDF ok"), (f"{head}/../../escaped.txt", b"pwned")):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    backup = ops.Backup(folder, {"files": {"file": "files.tar"}})

    with pytest.raises(ops.BackupError, match="outside"):
        ops._restore_files(backup)

    assert (heads[head] / "essays" / "ok.pdf").read_bytes() == b"%PDF ok"
    assert not list(tmp_path.rglob("escaped.txt"))
