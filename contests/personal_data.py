"""What each app holds about a person, and how it forgets it (Decree 13/2023/NĐ-CP).

An app that keeps personal data names, in its AppConfig's `personal_data` attribute, the module
that holds these functions (the way `home_context` declares what it shows on the home page);
nobody imports the apps from here:

    export(*, user) -> list[Section]
        everything the app holds about `user`, for «Tải dữ liệu của tôi»;
    anonymize(*, user, label) -> None
        blank what names or reaches the person (called inside one transaction; `label` is the
        pseudonym «Người dùng đã xoá #<id>»); results, scores and figures stay;
    objects(*, user) -> dict[str, list[int]]
        the objects about the person that the decision log may name, by `_meta.label_lower`;
    contests(*, users) -> dict[int, set[int]]
        the contests each person took part in (the retention rule asks it).

A new app adds the functions it needs to its module and is
picked up by the export, the anonymization and the retention command without other changes."""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import import_module

from django.apps import apps


@dataclass
class Section:
    """One part of a person's data: a title and rows of (column → value)."""

    key: str
    title: str
    rows: list[dict] = field(default_factory=list)


def hooks(name: str) -> Iterator:
    """Every app's implementation of the hook `name` (personal_data_export, …), in INSTALLED_APPS
    order: the function `export` (…) of the module the app names in its `personal_data` attribute."""
    function = name.removeprefix("personal_data_")
    for config in apps.get_app_configs():
        module = getattr(config, "personal_data", None)
        hook = getattr(import_module(module), function, None) if module else None
        if hook is not None:
            yield hook


def pseudonym(user_id: int) -> str:
    """What an anonymized person is called everywhere from then on."""
    from django.utils.translation import gettext

    return gettext("Người dùng đã xoá #%(id)d") % {"id": user_id}


class When(str):
    """A date or time of a person's data: ISO 8601 as text (what the JSON file holds, for a
    program to read), with the value kept beside it for a person's copy (the workbook writes
    «07/12/2026 09:30»)."""

    value: "datetime.date"

    def __new__(cls, value):
        self = super().__new__(cls, value.isoformat(timespec="seconds") if hasattr(value, "hour") else value.isoformat())
        self.value = value
        return self

    def shown(self) -> str:
        """As people read it: «07/12/2026 09:30:05» (local time), a date «07/12/2026»."""
        return self.value.strftime("%d/%m/%Y %H:%M:%S" if hasattr(self.value, "hour") else "%d/%m/%Y")


def when(value) -> str:
    """A date or time as the export writes it: ISO 8601, local time ("" when unset); a `When`,
    so the workbook can show it in people's words."""
    from django.utils import timezone

    if value is None:
        return ""
    if hasattr(value, "tzinfo") and value.tzinfo is not None:
        value = timezone.localtime(value)
    return When(value)


# --- What contests hold (the hooks, on ContestsConfig): notifications ------------------------


def export(*, user) -> list[Section]:
    """The person's choices of notifications and every message the outbox holds for them."""
    from django.utils.translation import gettext as _

    from .models import ChannelChoice, Notification, NotificationPreference

    preferences = NotificationPreference.objects.filter(user=user).order_by("kind")
    channel = ChannelChoice.objects.filter(user=user).first()
    chosen = channel and [
        {_("Loại"): _("Kênh nhận tin"), _("Nhận"): channel.get_channel_display(), _("Cập nhật lúc"): when(channel.updated_at)}
    ]
    messages = Notification.objects.filter(recipient=user).order_by("created_at", "pk")
    return [
        Section("notification_preferences", _("Lựa chọn nhận thông báo"), [
            {_("Loại"): p.get_kind_display(), _("Nhận"): p.enabled, _("Cập nhật lúc"): when(p.updated_at)}
            for p in preferences
        ] + (chosen if channel else [])),
        Section("notifications", _("Thông báo đã gửi"), [{
            _("Loại"): n.get_kind_display(), _("Kênh"): n.get_channel_display(), _("Gửi tới"): n.address,
            _("Tiêu đề"): n.subject, _("Nội dung"): n.body, _("Trạng thái"): n.get_status_display(),
            _("Tạo lúc"): when(n.created_at), _("Gửi lúc"): when(n.sent_at),
        } for n in messages]),
    ]  # fmt: skip


def anonymize(*, user, label: str) -> None:
    """The outbox is no figure: the person's messages (their address, their name in the text)
    are deleted, a queued one is then never sent (contests.notifications.notification_send leaves
    a row that is gone alone), and no new one is written (notify_users skips inactive accounts).
    Their choices go too (of kinds and of channel)."""
    from .models import ChannelChoice, Notification, NotificationPreference

    Notification.objects.filter(recipient=user).delete()
    NotificationPreference.objects.filter(user=user).delete()
    ChannelChoice.objects.filter(user=user).delete()
