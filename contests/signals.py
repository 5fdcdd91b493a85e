"""The last line of "text that comes in is clean text": whatever path a write takes (a form,
the admin, an import, a service called from the shell), the fields that carry the rule
(contests.cleaning.TextValidator) are stored NFC-normalized and trimmed. The boundaries have
already refused bad characters with a message; here they are dropped rather than let through."""

from django.db.models.signals import pre_save
from django.dispatch import receiver

from .cleaning import normalize_text, text_fields

_fields_by_model: dict[type, list[tuple[str, bool]]] = {}


@receiver(pre_save, dispatch_uid="contests.normalize_text_fields")
def normalize_text_fields(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw:  # loaddata: fixtures are stored exactly as written
        return
    fields = _fields_by_model.get(sender)
    if fields is None:
        fields = _fields_by_model[sender] = text_fields(sender)
    for attname, multiline in fields:
        if update_fields is not None and attname not in update_fields:
            continue
        value = getattr(instance, attname)
        if isinstance(value, str):
            cleaned = normalize_text(value, multiline=multiline)
            if cleaned != value:
                setattr(instance, attname, cleaned)


@receiver(pre_save, sender="contests.Contest", dispatch_uid="contests.archive_is_final")
def archive_is_final(sender, instance, raw=False, update_fields=None, **kwargs):
    """An archived contest is never brought back (contests.rules.guard_contest_unarchive): its
    results stay as published and the retention of personal data counts from its archiving."""
    if raw or not instance.pk or (update_fields is not None and "status" not in update_fields):
        return
    from .rules import guard_contest_unarchive

    guard_contest_unarchive(instance)
