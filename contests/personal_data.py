"""What each app holds about a person, and how it forgets it (Decree 13/2023/NĐ-CP).

An app that keeps personal data declares it on its AppConfig, the way `home_context` declares
what it shows on the home page; nobody imports the apps from here:

    personal_data_export(*, user) -> list[Section]
        everything the app holds about `user`, for «Tải dữ liệu của tôi»;
    personal_data_anonymize(*, user, label) -> None
        blank what names or reaches the person (called inside one transaction; `label` is the
        pseudonym «Người dùng đã xoá #<id>»); results, scores and figures stay;
    personal_data_objects(*, user) -> dict[str, list[int]]
        the objects about the person that the decision log may name, by `_meta.label_lower`;
    personal_data_contests(*, user_ids) -> dict[int, set[int]]
        the contests each person took part in (the retention rule asks it).

A new app (notifications, certificates, winners' details) adds the methods it needs and is
picked up by the export, the anonymization and the retention command without other changes."""

from collections.abc import Iterator
from dataclasses import dataclass, field

from django.apps import apps


@dataclass
class Section:
    """One part of a person's data: a title and rows of (column → value)."""

    key: str
    title: str
    rows: list[dict] = field(default_factory=list)


def hooks(name: str) -> Iterator:
    """Every app's implementation of the hook `name`, in INSTALLED_APPS order."""
    for config in apps.get_app_configs():
        hook = getattr(config, name, None)
        if hook is not None:
            yield hook


def pseudonym(user_id: int) -> str:
    """What an anonymized person is called everywhere from then on."""
    from django.utils.translation import gettext

    return gettext("Người dùng đã xoá #%(id)d") % {"id": user_id}


def when(value) -> str:
    """A date or time as the export writes it: ISO 8601, local time ("" when unset)."""
    from django.utils import timezone

    if value is None:
        return ""
    if hasattr(value, "tzinfo") and value.tzinfo is not None:
        value = timezone.localtime(value)
    return value.isoformat(timespec="seconds") if hasattr(value, "hour") else value.isoformat()
