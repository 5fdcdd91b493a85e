"""One log of the decisions that change a result (seal, window extension, prize verification,
not valid, disqualify, clear, publish, amend, conflict declared, score sheet reopened …).

Every service that makes such a decision calls `decision_record` inside its own transaction, so
the record and the decision commit or roll back together. The log is append-only (the model
refuses updates and deletes; on PostgreSQL a trigger does too)."""

from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Contest, Decision

Action = Decision.Action


def decision_record(
    *, action: str, obj, by=None, reason: str = "", contest: Contest | None = None, data: dict | None = None
) -> Decision:
    """Append one decision about `obj` (any model instance) made by `by` (None: the system)."""
    if contest is None:
        contest = _contest_of(obj)
    return Decision.objects.create(
        contest=contest,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=obj.pk,
        object_repr=str(obj)[:300],
        actor=by,
        actor_name=(by.get_full_name() if by is not None else "")[:300],
        reason=(reason or "").strip(),
        data=data or {},
    )


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


def decisions_for(*, contest: Contest | None, filters: DecisionFilter):
    """The log, newest first, filtered for the decisions page and its export. One query."""
    qs = Decision.objects.select_related("actor")
    if contest is not None:
        qs = qs.filter(Q(contest=contest) | Q(contest__isnull=True))
    if filters.action in Action.values:
        qs = qs.filter(action=filters.action)
    if filters.object_type:
        qs = qs.filter(object_type=filters.object_type)
    if filters.actor:
        qs = qs.filter(Q(actor__email__icontains=filters.actor) | Q(actor_name__icontains=filters.actor))
    if filters.q:
        qs = qs.filter(Q(object_repr__icontains=filters.q) | Q(reason__icontains=filters.q))
    return qs.order_by("-at", "-id")


# What the services put in `data`, as the decisions page and its export name it.
DETAIL_LABELS = {
    "sha256": _("mã niêm phong"),
    "old_closes_at": _("đóng lúc (cũ)"),
    "new_closes_at": _("đóng lúc (mới)"),
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
    "contestant": _("thí sinh"),
    "minutes": _("số phút cộng thêm"),
}
_VALUE_LABELS = {
    True: _("có"), False: _("không"), "verified": _("đã xác minh"), "invalid": _("không hợp lệ"), "draft": _("dự kiến"),
    "eligible": _("đủ điều kiện"), "ineligible": _("không đủ điều kiện"), "first": _("Nhất"), "second": _("Nhì"),
    "third": _("Ba"), "consolation": _("Khuyến khích"),
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


def decision_details(decision: Decision) -> list[tuple[str, str]]:
    """The decision's details as (label, value) lines in Vietnamese, for the page and the export."""
    return [(str(DETAIL_LABELS.get(key, key)), _value(value)) for key, value in _ordered(decision.data)]
