"""Private files — essay attachments (essays.rules), export workbooks (reports), question images
(quiz.images) — and their one home, `private_storage()`.

Two backends, chosen by the settings:
- local disk (the default): under PRIVATE_MEDIA_ROOT, outside MEDIA_ROOT;
- S3-compatible object storage when OBJECT_STORAGE_BUCKET is set (django-storages' S3Storage,
  configured from OBJECT_STORAGE_*): a private bucket, objects written with a private ACL, so
  several web and worker machines share the same files.

Either way a private file has no URL (`url()` is ""): not a public address, not a presigned one.
It is reached only through a view that checks who asks, which streams it with
`private_file_response`. Code touches private files only through the storage API (open, save,
delete, exists, size, listdir), never through a file system path, so it works on both backends.

The model fields name the callable `private_storage` (migrations refer to it by name); it always
returns the same PrivateStorage object, which picks its backend from the settings when first
used and again whenever a test changes them."""

from functools import cache

from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import FileSystemStorage, Storage
from django.core.signals import setting_changed
from django.http import FileResponse

OBJECT_STORAGE_SETTINGS = frozenset(
    {
        "PRIVATE_MEDIA_ROOT",
        "OBJECT_STORAGE_BUCKET",
        "OBJECT_STORAGE_ENDPOINT",
        "OBJECT_STORAGE_ACCESS_KEY",
        "OBJECT_STORAGE_SECRET_KEY",
        "OBJECT_STORAGE_REGION",
        "OBJECT_STORAGE_ACL",
    }
)
STREAM_CHUNK = 64 * 1024


class _LocalPrivateStorage(FileSystemStorage):
    def url(self, name):
        return ""


def _s3_storage():
    from botocore.config import Config
    from storages.backends.s3 import S3Storage

    class _S3PrivateStorage(S3Storage):
        def url(self, name, parameters=None, expire=None, http_method=None):
            return ""  # never a public or presigned address

        def _open(self, name, mode="rb"):
            if "w" in mode or "+" in mode or "a" in mode:
                return super()._open(name, mode)
            return _S3Stream.open(self, name)

    endpoint = settings.OBJECT_STORAGE_ENDPOINT or None
    return _S3PrivateStorage(
        bucket_name=settings.OBJECT_STORAGE_BUCKET,
        endpoint_url=endpoint,
        access_key=settings.OBJECT_STORAGE_ACCESS_KEY or None,  # else boto3's own chain (AWS_*, a role)
        secret_key=settings.OBJECT_STORAGE_SECRET_KEY or None,
        region_name=settings.OBJECT_STORAGE_REGION,
        default_acl=settings.OBJECT_STORAGE_ACL or None,
        querystring_auth=True,  # irrelevant: url() is "", but never an unsigned public URL
        file_overwrite=False,  # two uploads with one name get two objects, as on disk
        signature_version="s3v4",
        addressing_style="path" if endpoint else None,  # MinIO and most self-hosted servers
        object_parameters={"CacheControl": "private, no-store"},
        max_memory_size=1024 * 1024,  # an S3File (writes) spills to a temporary file past 1 MiB
        client_config=Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=5, read_timeout=30),
    )


class _S3Stream(File):
    """An object opened for reading without downloading it first: `read(n)` reads the next n
    bytes of the GET response's body, so a 10 MB attachment is never held in memory whole.
    Not seekable; `size` is the object's length from the same response."""

    def __init__(self, body, name, size, content_type):
        super().__init__(body, name)
        self.size = size  # File.size is a cached_property: set, never computed by seeking
        self.content_type = content_type
        self.bytes_read = 0  # how far into the object the reader is (never past what was asked)

    @classmethod
    def open(cls, storage, name):
        from botocore.exceptions import ClientError

        key = storage._normalize_name(name)
        try:
            got = storage.connection.meta.client.get_object(Bucket=storage.bucket_name, Key=key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "NotFound"):
                raise FileNotFoundError(f"No such private file: {name}") from exc
            raise
        return cls(got["Body"], name, got["ContentLength"], got.get("ContentType"))

    def read(self, size=-1):
        data = self.file.read(None if size is None or size < 0 else size)
        self.bytes_read += len(data)
        return data

    def chunks(self, chunk_size=None):
        while data := self.read(chunk_size or self.DEFAULT_CHUNK_SIZE):
            yield data

    def __iter__(self):
        yield from self.chunks()

    def seekable(self):
        return False


class PrivateStorage(Storage):
    """The storage of every private file: delegates to the backend the settings choose (local
    disk, or S3 when OBJECT_STORAGE_BUCKET is set). Has no URL."""

    def __init__(self):
        self._backend = None

    @property
    def backend(self) -> Storage:
        if self._backend is None:
            if getattr(settings, "OBJECT_STORAGE_BUCKET", ""):
                self._backend = _s3_storage()
            else:
                self._backend = _LocalPrivateStorage(location=settings.PRIVATE_MEDIA_ROOT)
        return self._backend

    @property
    def is_object_storage(self) -> bool:
        return not isinstance(self.backend, FileSystemStorage)

    def reset(self) -> None:
        self._backend = None

    # The Storage API, delegated.
    def _open(self, name, mode="rb"):
        return self.backend._open(name, mode)

    def _save(self, name, content):
        return self.backend._save(name, content)

    def save(self, name, content, max_length=None):
        return self.backend.save(name, content, max_length=max_length)

    def get_valid_name(self, name):
        return self.backend.get_valid_name(name)

    def get_available_name(self, name, max_length=None):
        return self.backend.get_available_name(name, max_length=max_length)

    def generate_filename(self, filename):
        return self.backend.generate_filename(filename)

    def delete(self, name):
        return self.backend.delete(name)

    def exists(self, name):
        return self.backend.exists(name)

    def listdir(self, path):
        return self.backend.listdir(path)

    def size(self, name):
        return self.backend.size(name)

    def path(self, name):
        return self.backend.path(name)  # NotImplementedError on S3: use open() instead

    def get_modified_time(self, name):
        return self.backend.get_modified_time(name)

    def url(self, name):
        # No public address, on purpose (the admin shows the name without a working link).
        return ""

    def walk(self, path=""):
        """Every file's name under `path` (recursively), sorted; the same on both backends (a
        bucket is listed flat, a page of 1,000 keys a request)."""
        backend = self.backend
        if self.is_object_storage:
            prefix = backend._normalize_name(path).rstrip("/") + "/" if path else backend.location
            pages = backend.connection.meta.client.get_paginator("list_objects_v2").paginate(
                Bucket=backend.bucket_name, Prefix=prefix
            )
            keys = (o["Key"] for page in pages for o in page.get("Contents", ()))
            return sorted(k[len(backend.location) :].lstrip("/") for k in keys if not k.endswith("/"))
        directories, files = self.listdir(path)
        names = [f"{path}/{f}" if path else f for f in files]
        for directory in directories:
            names.extend(self.walk(f"{path}/{directory}" if path else directory))
        return sorted(names)


@cache
def private_storage() -> PrivateStorage:
    """The storage of EssayFile.file, reports.ExportJob.file and Question.image (a callable, so
    migrations refer to it by name). Always the same object."""
    return PrivateStorage()


def _settings_changed(setting, **kwargs):
    if setting in OBJECT_STORAGE_SETTINGS:
        private_storage().reset()


setting_changed.connect(_settings_changed, dispatch_uid="contests.storage.settings_changed")


def private_file_response(field_file, *, filename: str, content_type: str | None = None) -> FileResponse:
    """Stream a private file (a FieldFile of private_storage) as an attachment: read from disk or
    from the bucket a block at a time, never as a whole; never cached by a browser or proxy.
    A file that is gone is a 404."""
    from django.http import Http404
    from django.utils.cache import patch_cache_control

    try:
        handle = field_file.storage.open(field_file.name, "rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
    response.block_size = STREAM_CHUNK
    response.private_file = handle  # what is being streamed (FileResponse forgets it once wrapped)
    if "Content-Length" not in response and getattr(handle, "size", None) is not None:
        response["Content-Length"] = handle.size
    patch_cache_control(response, private=True, no_store=True)
    return response
