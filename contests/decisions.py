"""One log of the decisions that change a result (seal, window extension, prize verification,
not valid, disqualify, clear, publish, amend, conflict declared, score sheet reopened …).

Every service that makes such a decision calls `decision_record` inside its own transaction, so
the record and the decision commit or roll back together. The log is append-only (the model
refuses updates and deletes; on PostgreSQL a trigger does too)."""

import re
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db.models import Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .models import Contest, Decision, DecisionMask
from .rules import guard_contest_writable

Action = Decision.Action


def decision_record(
    *, action: str, obj, by=None, reason: str = "", contest: Contest | None = None, data: dict | None = None, at=None
) -> Decision:
    """Append one decision about `obj` (any model instance) made by `by` (None: the system).
    `at` (default now) is for the demo data, which plays a contest now and dates it in the past."""
    if contest is None:
        contest = _contest_of(obj)
    guard_contest_writable(contest)  # an archived contest's results never change
    return Decision.objects.create(
        contest=contest,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=obj.pk,
        object_repr=object_words(obj)[:300],
        actor=by,
        actor_name=(by.get_full_name() if by is not None else "")[:300],
        reason=(reason or "").strip(),
        data=data or {},
        **({"at": at} if at is not None else {}),
    )


# A label made of ids and separators only («2:2:5», «14:3=8»): a developer's, never shown as is.
_IDS_ONLY = re.compile(r"^[\d\s:=#.,/-]*$")


def object_type_label(object_type: str) -> str:
    """«Tuần thi» for «quiz.round»: the model's name in people's words (the key stays in the
    log and in the filter's value); the key itself for a model that no longer exists."""
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return object_type
    return capfirst(str(model._meta.verbose_name))


def object_words(obj) -> str:
    """How the log names a decided object: its own name, or, where that is ids only (a judge's
    sheet «2:2:5»), the kind of object and what it links — the round, the essay's code, the
    unit — never a person (an account's name is masked apart, DecisionMask)."""
    text = str(obj)
    if not _IDS_ONLY.match(text):
        return text
    parts = []
    for field in obj._meta.concrete_fields:
        if not field.many_to_one or field.related_model._meta.label == settings.AUTH_USER_MODEL:
            continue
        related = getattr(obj, field.name, None)
        if related is not None and not _IDS_ONLY.match(str(related)):
            parts.append(str(related))
    kind = object_type_label(obj._meta.label_lower)
    return f"{kind}: {' · '.join(parts)}" if parts else f"{kind} #{obj.pk}"


def object_shown(decision: Decision) -> str:
    """The object as the page, the export and a person's data show it: the snapshot (or the
    pseudonym of an anonymized person), or for an older row named by ids only, the kind of
    object and its number."""
    label = getattr(decision, "object_label", None) or decision.object_repr
    if label and not _IDS_ONLY.match(label):
        return label
    return f"{object_type_label(decision.object_type)} #{decision.object_id}"


def _contest_of(obj) -> Contest | None:
    """The contest a decided object belongs to, following the usual relations."""
    if isinstance(obj, Contest):
        return obj
    for path in ("contest", "round.contest", "phase.contest", "essay.phase.contest", "round.phase.contest"):
        value = obj
        for name in path.split("."):
            value = getattr(value, name, None)
            if value is None:
                break
        if isinstance(value, Contest):
            return value
    return None


@dataclass
class DecisionFilter:
    action: str = ""
    actor: str = ""
    object_type: str = ""
    q: str = ""


def decision_masks_add(*, objects: dict[str, list[int]], label: str) -> int:
    """From now on the log names these objects (a person's, by `_meta.label_lower`) `label`
    instead of the snapshot it took. The log's rows stay as written: see DecisionMask."""
    masks = [DecisionMask(object_type=t, object_id=pk, label=label[:300]) for t, ids in objects.items() for pk in ids]
    DecisionMask.objects.bulk_create(masks, batch_size=500, ignore_conflicts=True)
    return len(masks)


def decisions_shown(qs):
    """The log as every reader shows it: `object_label` and `actor_label` are the snapshots,
    unless the person they name has been anonymized (then the pseudonym). Two subqueries, no
    extra query."""
    mask = DecisionMask.objects.filter(object_type=OuterRef("object_type"), object_id=OuterRef("object_id"))
    actor_mask = DecisionMask.objects.filter(object_type="accounts.user", object_id=OuterRef("actor_id"))
    return qs.annotate(
        masked=Exists(mask),
        object_label=Coalesce(Subquery(mask.values("label")[:1]), "object_repr"),
        actor_label=Coalesce(Subquery(actor_mask.values("label")[:1]), "actor_name"),
    )


def decisions_for(*, contest: Contest | None, filters: DecisionFilter):
    """The log, newest first, filtered for the decisions page and its export, names of
    anonymized people masked (decisions_shown). One query."""
    qs = decisions_shown(Decision.objects.select_related("actor"))
    if contest is not None:
        qs = qs.filter(Q(contest=contest) | Q(contest__isnull=True))
    if filters.action in Action.values:
        qs = qs.filter(action=filters.action)
    if filters.object_type:
        qs = qs.filter(object_type=filters.object_type)
    if filters.actor:
        qs = qs.filter(Q(actor__email__icontains=filters.actor) | Q(actor_label__icontains=filters.actor))
    if filters.q:
        qs = qs.filter(Q(object_label__icontains=filters.q) | Q(reason__icontains=filters.q))
    return qs.order_by("-at", "-id")


# What the services put in `data`, as the decisions page and its export name it.
DETAIL_LABELS = {
    "sha256": _("mã niêm phong"),
    "old_closes_at": _("đóng lúc (cũ)"),
    "new_closes_at": _("đóng lúc (mới)"),
    "old_closes_at_utc": _("đóng lúc (cũ, UTC)"),
    "new_closes_at_utc": _("đóng lúc (mới, UTC)"),
    "prizes": _("số giải"),
    "status": _("xác minh"),
    "tier": _("giải"),
    "rank": _("hạng"),
    "from": _("trước"),
    "to": _("sau"),
    "case": _("trường hợp"),
    "accounts": _("tài khoản"),
    "eligibility": _("sơ loại"),
    "reasons": _("lý do"),
    "published": _("đăng trên trang cuộc thi"),
    "essays": _("bài"),
    "essays_published": _("số bài được đăng"),
    "retention": _("hết thời hạn lưu trữ"),
    "request": _("yêu cầu"),
    "contestant": _("thí sinh"),
    "minutes": _("số phút cộng thêm"),
    "fields": _("thông tin đã sửa"),
    "declared": _("lý do giám khảo đã khai"),
    "replacement_sheet": _("phiếu chấm thay thế số"),
    "replacement_removed": _("đã rút phiếu chấm thay thế số"),
}
_VALUE_LABELS = {
    True: _("có"), False: _("không"), "verified": _("đã xác minh"), "invalid": _("không hợp lệ"), "draft": _("dự kiến"),
    "eligible": _("đủ điều kiện"), "ineligible": _("không đủ điều kiện"), "first": _("Nhất"), "second": _("Nhì"),
    "third": _("Ba"), "consolation": _("Khuyến khích"),
    # awards.winner_details: which of a winner's details the secretariat changed (never the values)
    "citizen_id": _("số căn cước"), "birth_date": _("ngày sinh"), "address": _("địa chỉ"),
    "bank_account": _("số tài khoản"), "bank_name": _("ngân hàng"), "account_holder": _("chủ tài khoản"),
}  # fmt: skip


def _ordered(data: dict) -> list:
    """Keys in the order of DETAIL_LABELS (PostgreSQL's jsonb keeps no insertion order)."""
    known = list(DETAIL_LABELS)
    return sorted(data.items(), key=lambda kv: (known.index(kv[0]) if kv[0] in known else len(known), kv[0]))


def _value(value) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{DETAIL_LABELS.get(k, k)} {_value(v)}" for k, v in _ordered(value))
    if isinstance(value, list | tuple):
        return ", ".join(_value(v) for v in value)
    if isinstance(value, bool) or (isinstance(value, str) and value in _VALUE_LABELS):
        return str(_VALUE_LABELS[value])
    return "–" if value in (None, "") else str(value)


# Details that name people (a flagged case's phone or name, the accounts' e-mails): left out
# once a person the decision is about has been anonymized.
PERSONAL_DETAILS = {"case", "accounts"}


def decision_details(decision: Decision) -> list[tuple[str, str]]:
    """The decision's details as (label, value) lines in Vietnamese, for the page and the export."""
    hidden = PERSONAL_DETAILS if getattr(decision, "masked", False) else set()
    return [(str(DETAIL_LABELS.get(key, key)), _value(value)) for key, value in _ordered(decision.data) if key not in hidden]
