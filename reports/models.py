from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from essays.files import private_storage


class ExportJob(models.Model):
    """A large export built by a Celery worker, with its progress for the page that waits."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Đang chờ")
        RUNNING = "running", _("Đang tạo")
        DONE = "done", _("Đã xong")
        FAILED = "failed", _("Lỗi")

    kind = models.CharField(max_length=32)
    contest = models.ForeignKey("contests.Contest", on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    rows_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="exports/%Y/%m/", storage=private_storage, blank=True)  # never under a URL
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("tệp xuất")
        verbose_name_plural = _("tệp xuất")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.kind} #{self.pk}"

    @property
    def percent(self) -> int:
        return 100 if self.status == self.Status.DONE else int(100 * self.rows_done / self.rows_total) if self.rows_total else 0


class Reminder(models.Model):
    """One press of «Gửi lời nhắc» on a unit's page: the people of the unit who had not taken part
    in the week, reminded together (reports.reminders). Each message is a notification of the
    outbox (key «reminder:<id>»), whose state the officer follows on the reminder's page."""

    organization = models.ForeignKey(
        "accounts.Organization", verbose_name=_("đơn vị"), on_delete=models.CASCADE, related_name="+"
    )
    round = models.ForeignKey("quiz.Round", verbose_name=_("tuần thi"), on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người gửi"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("gửi lúc"), auto_now_add=True)
    day = models.DateField(_("ngày"))  # Vietnam's date: the day of the limits

    class Meta:
        verbose_name = _("đợt nhắc tham gia")
        verbose_name_plural = _("các đợt nhắc tham gia")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["organization", "day"])]

    def __str__(self):
        return f"{self.organization_id} · {self.day:%d/%m/%Y}"


class ReminderRecipient(models.Model):
    """A person reminded: at most once a day whoever reminds them (the constraint), and counted
    against the daily limit of the unit that reminded them."""

    reminder = models.ForeignKey(Reminder, on_delete=models.CASCADE, related_name="recipients")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()

    class Meta:
        verbose_name = _("người được nhắc")
        verbose_name_plural = _("người được nhắc")
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="reminder_once_per_person_and_day")]

    def __str__(self):
        return f"{self.user_id} · {self.day:%d/%m/%Y}"
