"""Private files: stored under PRIVATE_MEDIA_ROOT (outside MEDIA_ROOT, never under a URL) and
served only by views that check who asks — essay attachments (essays.rules), export workbooks
(reports), question images (quiz.images)."""

from functools import cache

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.functional import cached_property


class PrivateStorage(FileSystemStorage):
    """A file system storage rooted at PRIVATE_MEDIA_ROOT with no URL: a file is reached only
    through a view that checks who asks."""

    @cached_property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PRIVATE_MEDIA_ROOT)

    def _clear_cached_properties(self, setting, **kwargs):
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "PRIVATE_MEDIA_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)

    def url(self, name):
        # No public address, on purpose (the admin shows the name without a working link).
        return ""


@cache
def private_storage() -> PrivateStorage:
    """The storage of EssayFile.file, reports.ExportJob.file and Question.image (a callable, so
    migrations refer to it by name)."""
    return PrivateStorage()
