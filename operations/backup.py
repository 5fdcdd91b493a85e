"""Backups and restores: the database and the private files together, with a manifest.

One backup is one folder under the backup directory, named by its UTC time:

    20261207T020000Z/
        database.dump     pg_dump --format=custom (PostgreSQL), or database.sqlite3 (SQLite)
        files.tar         the private files as private_media/, MEDIA_ROOT (published documents) as media/
        manifest.json     written last: a folder without it is an unfinished backup

The manifest holds the time, each file's SHA-256 and size, the number and bytes of the private
files, the app's version and its migration state. A restore checks every checksum before it
touches anything, and refuses a database or folder that is not empty unless forced.

The database is dumped first, then the files: every file the dump refers to was written before
it (attachments and question images are never rewritten in place), so a restore lacks none;
a file uploaded meanwhile is only an orphan.

The private files are read and written through contests.storage.private_storage(), whichever
backend it uses (local disk, or the S3 bucket when OBJECT_STORAGE_BUCKET is set): the archive is
the same either way, so a backup taken on disk restores into a bucket and back."""

import hashlib
import json
import os
import posixpath
import shutil
import sqlite3
import subprocess
import tarfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import connection, connections
from django.utils import timezone
from django.utils.translation import gettext as _

MANIFEST = "manifest.json"
FILES_TAR = "files.tar"
PG_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"
FORMAT = 1
NAME_FORMAT = "%Y%m%dT%H%M%SZ"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is Vietnamese, for the operator."""


@dataclass(frozen=True)
class Backup:
    path: Path
    manifest: dict

    @property
    def created_at(self) -> datetime:
        return datetime.fromisoformat(self.manifest["created_at"])


# --- helpers ---------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _pg_env() -> dict:
    """libpq's variables from DATABASES["default"]: the password never on a command line."""
    db = connection.settings_dict
    env = dict(os.environ)
    for var, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD"),
                     ("PGDATABASE", "NAME")):  # fmt: skip
        if db.get(key):
            env[var] = str(db[key])
    return env


def _run(args: list[str]) -> None:
    """Run a PostgreSQL client program (pg_dump, pg_restore: found on PATH, arguments ours)."""
    program = shutil.which(args[0])
    if program is None:
        raise BackupError(_("Không tìm thấy %(cmd)s: cài gói postgresql-client cùng phiên bản máy chủ.") % {"cmd": args[0]})
    done = subprocess.run([program, *args[1:]], env=_pg_env(), capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(_("%(cmd)s thất bại: %(err)s") % {"cmd": args[0], "err": done.stderr.strip()[-2000:]})


PRIVATE = "private_media"


def _file_roots() -> list[tuple[str, Path]]:
    """The folders on disk a backup holds, by their name in the tar: the contest's published
    documents (contests.models, upload_to="documents/") under MEDIA_ROOT. The private files —
    essay attachments, export workbooks, question images — are under PRIVATE in the tar and
    come from contests.storage.private_storage() (`_private_names`)."""
    return [("media", Path(settings.MEDIA_ROOT))]


def _private_storage():
    from contests.storage import private_storage

    return private_storage()


def _private_names() -> list[str]:
    """Every private file's name, from the storage (a folder walk or a bucket listing)."""
    try:
        return _private_storage().walk()
    except FileNotFoundError:  # PRIVATE_MEDIA_ROOT not created yet
        return []


def _private_label() -> str:
    storage = _private_storage()
    if storage.is_object_storage:
        return f"s3://{settings.OBJECT_STORAGE_BUCKET}"
    return str(settings.PRIVATE_MEDIA_ROOT)


def _files_in(root: Path):
    if root.is_dir():
        for path in sorted(root.rglob("*")):
            if path.is_file() and not path.is_symlink():
                yield path


def app_version() -> str:
    """APP_VERSION from the environment (set by the image build), else the git commit, else «unknown»."""
    if version := os.environ.get("APP_VERSION"):
        return version
    git = shutil.which("git")
    if git is None:
        return "unknown"
    try:
        done = subprocess.run(  # noqa: S603 (fixed arguments)
            [git, "rev-parse", "--short", "HEAD"], cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=5
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return done.stdout.strip() if done.returncode == 0 and done.stdout.strip() else "unknown"


def migration_state() -> dict[str, str]:
    """The newest applied migration of each app."""
    from django.db.migrations.recorder import MigrationRecorder

    state: dict[str, str] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        if name > state.get(app, ""):
            state[app] = name
    return dict(sorted(state.items()))


# --- backup ----------------------------------------------------------------------------------


def _dump_database(target_dir: Path) -> Path:
    if _is_postgres():
        out = target_dir / PG_DUMP
        _run(["pg_dump", "--format=custom", "--compress=6", "--no-password", f"--file={out}"])
        return out
    out = target_dir / SQLITE_COPY
    source = sqlite3.connect(connection.settings_dict["NAME"])
    copy = sqlite3.connect(out)
    try:
        with copy:
            source.backup(copy)  # a consistent copy while the site is running
    finally:
        copy.close()
        source.close()
    return out


def _tar_files(target_dir: Path) -> tuple[Path, int, int]:
    out = target_dir / FILES_TAR
    count = size = 0
    storage = _private_storage()
    now = time.time()
    with tarfile.open(out, "w") as tar:
        folder = tarfile.TarInfo(PRIVATE)
        folder.type, folder.mode, folder.mtime = tarfile.DIRTYPE, 0o755, now
        tar.addfile(folder)
        for key in _private_names():
            with storage.open(key, "rb") as handle:  # streamed from the disk or the bucket
                info = tarfile.TarInfo(f"{PRIVATE}/{key}")
                info.size, info.mode, info.mtime = handle.size, 0o644, now
                tar.addfile(info, handle)
            count += 1
            size += info.size
        for name, root in _file_roots():
            tar.add(root if root.is_dir() else target_dir, arcname=name, recursive=False)
            for path in _files_in(root):
                tar.add(path, arcname=f"{name}/{path.relative_to(root).as_posix()}", recursive=False)
                count += 1
                size += path.stat().st_size
    return out, count, size


def backup_create(*, directory: Path | str) -> Backup:
    """Write one backup into a new folder under `directory` and return it. The manifest is
    written last, through a rename: a backup that failed half-way leaves no manifest and is
    removed."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    started = timezone.now()
    monotonic = time.monotonic()
    name = started.astimezone(UTC).strftime(NAME_FORMAT)
    target = directory / name
    if target.exists():
        raise BackupError(_("Thư mục sao lưu %(name)s đã có.") % {"name": name})
    target.mkdir()
    try:
        dump = _dump_database(target)
        dumped = time.monotonic()
        tar, count, size = _tar_files(target)
        manifest = {
            "format": FORMAT,
            "created_at": started.isoformat(),
            "database": {
                "engine": connection.vendor,
                "file": dump.name,
                "format": "pg_dump --format=custom" if _is_postgres() else "sqlite3 backup",
                "bytes": dump.stat().st_size,
                "sha256": _sha256(dump),
                "seconds": round(dumped - monotonic, 2),
            },
            "files": {
                "file": tar.name,
                "bytes": tar.stat().st_size,
                "sha256": _sha256(tar),
                "count": count,
                "content_bytes": size,
                "roots": [PRIVATE, *(name for name, _root in _file_roots())],
                "private_backend": "s3" if _private_storage().is_object_storage else "local",
                "seconds": round(time.monotonic() - dumped, 2),
            },
            "app": {"version": app_version(), "migrations": migration_state()},
            "seconds": round(time.monotonic() - monotonic, 2),
        }
        partial = target / (MANIFEST + ".part")
        partial.write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
        partial.replace(target / MANIFEST)
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise
    return Backup(target, manifest)


# --- finding backups -------------------------------------------------------------------------


def backups_in(directory: Path | str) -> list[Backup]:
    """The finished backups under `directory` (those with a readable manifest), oldest first."""
    directory = Path(directory)
    found = []
    if not directory.is_dir():
        return found
    for child in directory.iterdir():
        manifest = child / MANIFEST
        if child.is_dir() and manifest.is_file():
            try:
                found.append(Backup(child, json.loads(manifest.read_text(encoding="utf-8"))))
            except (ValueError, OSError):
                continue
    return sorted(found, key=lambda b: b.created_at)


def backup_at(path: Path | str) -> Backup:
    """The backup in `path` itself, or else the newest one under it."""
    path = Path(path)
    if (path / MANIFEST).is_file():
        return Backup(path, json.loads((path / MANIFEST).read_text(encoding="utf-8")))
    found = backups_in(path)
    if not found:
        raise BackupError(_("Không có bản sao lưu nào (thiếu %(m)s) trong %(dir)s.") % {"m": MANIFEST, "dir": path})
    return found[-1]


def last_backup_age_seconds(directory: Path | str | None = None, *, now: datetime | None = None) -> float | None:
    """Seconds since the newest finished backup under `directory` (BACKUP_DIR by default) was
    taken; None when there is none. For the gauge contest_last_backup_age_seconds."""
    found = backups_in(directory or settings.BACKUP_DIR)
    if not found:
        return None
    return max(0.0, ((now or timezone.now()) - found[-1].created_at).total_seconds())


# --- restore ---------------------------------------------------------------------------------


def backup_verify(backup: Backup) -> None:
    """Every file the manifest names is there with its size and SHA-256, or BackupError."""
    if backup.manifest.get("format") != FORMAT:
        raise BackupError(_("Bản sao lưu có định dạng %(f)s không đọc được.") % {"f": backup.manifest.get("format")})
    for part in ("database", "files"):
        entry = backup.manifest[part]
        path = backup.path / entry["file"]
        if not path.is_file():
            raise BackupError(_("Thiếu tệp %(name)s trong bản sao lưu.") % {"name": entry["file"]})
        if path.stat().st_size != entry["bytes"] or _sha256(path) != entry["sha256"]:
            raise BackupError(
                _("Tệp %(name)s không khớp mã kiểm tra trong manifest: bản sao lưu bị hỏng hoặc bị sửa.")
                % {"name": entry["file"]}
            )


def backup_check_code(backup: Backup) -> None:
    """The code knows every migration the backup's database had: data from a newer release is not
    restored under an older one (deploy that release first, then restore)."""
    from django.db.migrations.loader import MigrationLoader

    on_disk = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    unknown = sorted(
        f"{app}.{name}"
        for app, name in backup.manifest.get("app", {}).get("migrations", {}).items()
        if app in {a for a, _n in on_disk} and (app, name) not in on_disk
    )
    if unknown:
        raise BackupError(
            _("Bản sao lưu đến từ phiên bản mới hơn mã đang chạy (%(names)s): triển khai phiên bản đó rồi khôi phục.")
            % {"names": ", ".join(unknown)}
        )


def _database_is_empty() -> bool:
    return not connection.introspection.table_names()


def _folders_not_empty() -> list[str]:
    busy = [_private_label()] if _private_names() else []
    return busy + [str(root) for _name, root in _file_roots() if any(_files_in(root))]


def _empty_database() -> None:
    if _is_postgres():
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE")
            cursor.execute("CREATE SCHEMA public")
    else:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA foreign_keys = OFF")
            for table in connection.introspection.table_names():
                cursor.execute(f'DROP TABLE IF EXISTS "{table}"')


def _restore_database(backup: Backup) -> None:
    dump = backup.path / backup.manifest["database"]["file"]
    engine = backup.manifest["database"]["engine"]
    if engine != connection.vendor:
        raise BackupError(_("Bản sao lưu là của %(a)s, còn cơ sở dữ liệu đích là %(b)s.") % {"a": engine, "b": connection.vendor})
    if _is_postgres():
        connections.close_all()
        # Owners and grants are the target's: run grant_app_role again after a restore.
        _run(["pg_restore", "--no-password", "--no-owner", "--no-privileges", "--single-transaction",
              "--exit-on-error", f"--dbname={_pg_env()['PGDATABASE']}", str(dump)])  # fmt: skip
        return
    source = sqlite3.connect(dump)
    connection.ensure_connection()
    try:
        source.backup(connection.connection)
    finally:
        source.close()
    connections.close_all()


def _restore_private_file(tar: tarfile.TarFile, member: tarfile.TarInfo, name: str) -> None:
    """One private file back through the storage, under exactly its name (the rows name it)."""
    clean = posixpath.normpath(name)
    if name.startswith("/") or clean != name or clean.startswith("../") or clean in (".", ".."):
        raise BackupError(f"{member.name}: a path outside {PRIVATE}/ in the backup's files.tar")
    with tar.extractfile(member) as source:
        saved = _private_storage().save(name, source)
    if saved != name:
        raise BackupError(f"{member.name}: stored as {saved}, not under its own name")


def _restore_files(backup: Backup) -> int:
    roots = dict(_file_roots())
    count = 0
    storage = _private_storage()
    for key in _private_names():
        storage.delete(key)
    for root in roots.values():
        root.mkdir(parents=True, exist_ok=True)
        for child in root.iterdir():
            shutil.rmtree(child) if child.is_dir() and not child.is_symlink() else child.unlink()
    with tarfile.open(backup.path / backup.manifest["files"]["file"]) as tar:
        for member in tar:
            head, _sep, rest = member.name.partition("/")
            if not member.isfile() or not rest:
                continue
            if head == PRIVATE:
                _restore_private_file(tar, member, rest)
                count += 1
                continue
            if head not in roots:
                continue
            # Written by hand rather than `extract(filter="data")`, which Debian's Python 3.11.2
            # lacks: a regular file only, and never outside its root (no absolute path, no "..").
            base = roots[head].resolve()
            target = (base / rest).resolve()
            if not target.is_relative_to(base) or target == base:
                raise BackupError(f"{member.name}: a path outside {head}/ in the backup's files.tar")
            target.parent.mkdir(parents=True, exist_ok=True)
            with tar.extractfile(member) as source, open(target, "wb") as out:
                shutil.copyfileobj(source, out)
            count += 1
    return count


@dataclass(frozen=True)
class RestoreReport:
    backup: Backup
    files: int
    seconds: float


def backup_restore(*, path: Path | str, force: bool = False) -> RestoreReport:
    """Restore the backup in `path` (or the newest under it) into the database of the settings
    and the private files' folders. Checks the manifest's checksums first; refuses a database
    with tables or a folder with files unless `force` (which empties them first)."""
    started = time.monotonic()
    backup = backup_at(path)
    backup_verify(backup)
    backup_check_code(backup)
    if not force:
        if not _database_is_empty():
            raise BackupError(_("Cơ sở dữ liệu đích đã có bảng: chỉ khôi phục vào cơ sở dữ liệu rỗng, hoặc thêm --force."))
        if busy := _folders_not_empty():
            raise BackupError(
                _("Thư mục %(dir)s đã có tệp: chỉ khôi phục vào thư mục rỗng, hoặc thêm --force.") % {"dir": busy[0]}
            )
    elif not _database_is_empty():
        _empty_database()
    _restore_database(backup)
    files = _restore_files(backup)
    if files != backup.manifest["files"]["count"]:
        raise BackupError(
            _("Đã khôi phục %(got)d tệp, manifest ghi %(want)d.") % {"got": files, "want": backup.manifest["files"]["count"]}
        )
    return RestoreReport(backup, files, round(time.monotonic() - started, 2))


# --- retention -------------------------------------------------------------------------------


def backups_to_keep(backups: list[Backup], *, daily: int, weekly: int) -> set[Path]:
    """The newest backup of each of the last `daily` days and of each of the last `weekly` ISO
    weeks (UTC), and always the newest of all."""
    keep: set[Path] = set()
    newest_first = sorted(backups, key=lambda b: b.created_at, reverse=True)
    if newest_first:
        keep.add(newest_first[0].path)
    for count, key in ((daily, lambda d: d.date()), (weekly, lambda d: d.isocalendar()[:2])):
        seen = []
        for b in newest_first:
            bucket = key(b.created_at.astimezone(UTC))
            if bucket not in seen:
                seen.append(bucket)
                if len(seen) > count:
                    break
                keep.add(b.path)
    return keep


def backups_prune(*, directory: Path | str | None = None, daily: int | None = None, weekly: int | None = None,
                  unfinished_after: timedelta = timedelta(days=1)) -> list[Path]:  # fmt: skip
    """Delete the backups the retention does not keep (BACKUP_KEEP_DAILY, BACKUP_KEEP_WEEKLY),
    and folders left without a manifest for more than a day (a backup that died). Idempotent."""
    directory = Path(directory or settings.BACKUP_DIR)
    backups = backups_in(directory)
    keep = backups_to_keep(
        backups,
        daily=settings.BACKUP_KEEP_DAILY if daily is None else daily,
        weekly=settings.BACKUP_KEEP_WEEKLY if weekly is None else weekly,
    )
    removed = [b.path for b in backups if b.path not in keep]
    finished = {b.path for b in backups}
    cutoff = time.time() - unfinished_after.total_seconds()
    if directory.is_dir():
        for child in directory.iterdir():
            if child.is_dir() and child not in finished and child.stat().st_mtime < cutoff:
                try:
                    datetime.strptime(child.name, NAME_FORMAT)
                except ValueError:
                    continue  # not ours
                removed.append(child)
    for path in removed:
        shutil.rmtree(path, ignore_errors=True)
    return removed
