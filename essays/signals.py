"""The backstop of essays.freeze: whatever path a write takes (the admin, a shell, an import),
a screened essay's content, authors and attachments, and a scored round's rubric, do not change.
`QuerySet.update` and raw SQL pass no signal: for the rubric and the essay's own fields a
PostgreSQL trigger (migration essays 0008) refuses those too."""

from django.db.models.signals import pre_delete, pre_save
from django.dispatch import receiver

from contests.cleaning import normalize_text

from .freeze import (
    CRITERION_FROZEN_FIELDS,
    ESSAY_FROZEN_FIELDS,
    FrozenError,
    essay_frozen_message,
    guard_essay_id_unfrozen,
    guard_rubric_unfrozen,
)
from .models import Criterion, Essay, EssayAuthor, EssayFile


def _comparable(value):
    # The text normalizer (contests.signals) may run after this receiver: storing the NFC form
    # of the same words is not a change.
    return normalize_text(value, multiline=True) if isinstance(value, str) else value


def _changed(model, instance, names, update_fields) -> tuple[dict | None, list[str]]:
    """The stored row's `names` (None: not stored) and which of them the save would change."""
    attnames = [model._meta.get_field(name).attname for name in names]
    if update_fields is not None:
        saved = {model._meta.get_field(name).attname for name in update_fields}
        attnames = [name for name in attnames if name in saved]
    if not attnames:
        return {}, []
    before = model.objects.filter(pk=instance.pk).values(*attnames).first()
    if before is None:
        return None, []
    return before, [a for a in attnames if _comparable(before[a]) != _comparable(getattr(instance, a))]


@receiver(pre_save, sender=Essay)
def _essay_save(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or not instance.pk:
        return
    stored = Essay.objects.filter(pk=instance.pk).values_list("eligibility", flat=True).first()
    if stored is None or stored == "pending":
        return
    _before, changed = _changed(Essay, instance, ESSAY_FROZEN_FIELDS, update_fields)
    if changed:
        raise FrozenError(essay_frozen_message())


@receiver(pre_delete, sender=Essay)
def _essay_delete(sender, instance, **kwargs):
    guard_essay_id_unfrozen(instance.pk)


@receiver(pre_save, sender=EssayAuthor)
@receiver(pre_save, sender=EssayFile)
def _essay_part_save(sender, instance, raw=False, **kwargs):
    if not raw:
        guard_essay_id_unfrozen(instance.essay_id)


@receiver(pre_delete, sender=EssayAuthor)
@receiver(pre_delete, sender=EssayFile)
def _essay_part_delete(sender, instance, **kwargs):
    guard_essay_id_unfrozen(instance.essay_id)


@receiver(pre_save, sender=Criterion)
def _criterion_save(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw:
        return
    if instance.pk:
        before, changed = _changed(Criterion, instance, CRITERION_FROZEN_FIELDS, update_fields)
        if before is not None:
            if not changed:
                return
            guard_rubric_unfrozen(before.get("round_id", instance.round_id))
    guard_rubric_unfrozen(instance.round_id)


@receiver(pre_delete, sender=Criterion)
def _criterion_delete(sender, instance, **kwargs):
    guard_rubric_unfrozen(instance.round_id)
