"""The backstop of sealing: whatever path a write takes (admin, shell, import), a sealed pool and
its answer keys do not change."""

from django.db.models.signals import pre_delete, pre_save
from django.dispatch import receiver

from contests.cleaning import normalize_text

from .models import BlueprintItem, Option, Question, Round, RoundQuestion
from .services import guard_question_unsealed, guard_round_unsealed


@receiver(pre_save, sender=Question)
def _question_save(sender, instance, raw=False, **kwargs):
    if raw or not instance.pk:
        return
    before = Question.objects.filter(pk=instance.pk).values("text", "field_id", "status").first()
    # Normalized text is compared: storing the NFC form of the same words is not a change.
    if before and (normalize_text(before["text"], multiline=True), before["field_id"], before["status"]) != (
        normalize_text(instance.text, multiline=True),
        instance.field_id,
        instance.status,
    ):
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
def _round_save(sender, instance, raw=False, **kwargs):
    if raw or not instance.pk:
        return
    before = Round.objects.filter(pk=instance.pk).values("approved_at", "questions_per_attempt").first()
    if before and before["approved_at"] and before["questions_per_attempt"] != instance.questions_per_attempt:
        guard_round_unsealed(instance.pk)
