"""The backstop of sealing: whatever path a write takes (admin, shell, import), a sealed pool and
its answer keys do not change."""

from django.db.models.signals import pre_delete, pre_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _

from contests.cleaning import normalize_text

from .errors import SealedError
from .models import EARLY_CLOSE_SKEW, BlueprintItem, Option, Question, Round, RoundQuestion, RoundWindowChange
from .round_fields import ROUND_FROZEN_FIELDS
from .services.bank import guard_question_unsealed
from .services.pool import guard_round_unsealed


@receiver(pre_save, sender=Question)
def _question_save(sender, instance, raw=False, **kwargs):
    if raw or not instance.pk:
        return
    before = Question.objects.filter(pk=instance.pk).values("text", "field_id", "status", "image_sha256", "image_alt").first()
    # Normalized text is compared: storing the NFC form of the same words is not a change.
    if before and (
        normalize_text(before["text"], multiline=True), before["field_id"], before["status"], before["image_sha256"],
        normalize_text(before["image_alt"]),
    ) != (
        normalize_text(instance.text, multiline=True), instance.field_id, instance.status, instance.image_sha256,
        normalize_text(instance.image_alt),
    ):  # fmt: skip
        guard_question_unsealed(instance.pk)


@receiver(pre_delete, sender=Question)
def _question_delete(sender, instance, **kwargs):
    guard_question_unsealed(instance.pk)


@receiver(pre_save, sender=Option)
def _option_save(sender, instance, raw=False, **kwargs):
    if raw:
        return
    if instance.pk:
        before = Option.objects.filter(pk=instance.pk).values("text", "is_correct", "letter").first()
        if before and (normalize_text(before["text"]), before["is_correct"], before["letter"]) == (
            normalize_text(instance.text),
            instance.is_correct,
            instance.letter,
        ):
            return
    guard_question_unsealed(instance.question_id)


@receiver(pre_delete, sender=Option)
def _option_delete(sender, instance, **kwargs):
    guard_question_unsealed(instance.question_id)


@receiver(pre_save, sender=RoundQuestion)
@receiver(pre_save, sender=BlueprintItem)
def _pool_save(sender, instance, raw=False, **kwargs):
    if not raw:
        guard_round_unsealed(instance.round_id)


@receiver(pre_delete, sender=RoundQuestion)
@receiver(pre_delete, sender=BlueprintItem)
def _pool_delete(sender, instance, **kwargs):
    guard_round_unsealed(instance.round_id)


@receiver(pre_save, sender=Round)
def _round_save(sender, instance, raw=False, update_fields=None, **kwargs):
    """A sealed round keeps every rule its contestants play by (ROUND_FROZEN_FIELDS) and its seal;
    its closing time only moves later, and only with the record round_extend_window writes."""
    if raw or not instance.pk:
        return
    watched = [Round._meta.get_field(name).attname for name in (*ROUND_FROZEN_FIELDS, "approved_at", "approved_by")]
    before = Round.objects.filter(pk=instance.pk).values(*watched, "closes_at").first()
    if not before or before["approved_at"] is None:
        return
    if update_fields is not None:
        saved = {Round._meta.get_field(name).attname for name in update_fields}
        watched = [name for name in watched if name in saved]
        check_close = "closes_at" in saved
    else:
        check_close = True
    changed = [name for name in watched if before[name] != getattr(instance, name)]
    if changed:
        labels = ", ".join(str(Round._meta.get_field(name.removesuffix("_id")).verbose_name) for name in changed)
        raise SealedError(_("Tuần thi đã được duyệt và niêm phong; không thể thay đổi: %(fields)s.") % {"fields": labels})
    if check_close and before["closes_at"] != instance.closes_at:
        recorded = RoundWindowChange.objects.filter(
            round_id=instance.pk, old_closes_at=before["closes_at"], new_closes_at=instance.closes_at
        ).exists()
        # An early close cuts the round from now on, never back in time (the PostgreSQL trigger
        # allows the same minute of clock skew).
        soonest = timezone.now() - EARLY_CLOSE_SKEW
        early_in_time = before["closes_at"] > soonest and instance.closes_at >= soonest
        if not recorded or (instance.closes_at < before["closes_at"] and not early_in_time):
            raise SealedError(
                _(
                    "Tuần thi đã được niêm phong; thời gian đóng chỉ đổi được qua chức năng gia hạn hoặc đóng sớm "
                    "(có ghi lý do), và không đóng lùi về quá khứ."
                )
            )
