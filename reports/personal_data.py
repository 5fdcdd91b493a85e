"""«Tải dữ liệu của tôi»: everything held about a person, gathered from every app's hook
(contests.personal_data) plus the decisions about them, written as JSON or as a workbook.
Reports read everything, so the collector lives here; the apps only declare what they hold."""

import json

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from accounts.privacy import person_objects
from contests.decisions import decision_details, decisions_shown
from contests.models import Decision
from contests.personal_data import Section, hooks, when
from contests.text import excel_text

from .models import Certificate, IntegrityDecision, WinnerDetails, WinnerDetailsAccess


def person_data(*, user) -> list[Section]:
    """Every section every app declares about `user`, then the decisions about them."""
    sections: list[Section] = []
    for hook in hooks("personal_data_export"):
        sections.extend(hook(user=user))
    sections.append(_decisions(user))
    return sections


def _decisions(user) -> Section:
    objects = person_objects(user=user)
    rows = []
    if any(objects.values()):
        query = None
        for label, ids in objects.items():
            if ids:
                part = Q(object_type=label, object_id__in=ids)
                query = part if query is None else query | part
        for d in decisions_shown(Decision.objects.filter(query)).order_by("at", "id"):
            rows.append({
                _("Thời điểm"): when(d.at), _("Quyết định"): d.get_action_display(), _("Đối tượng"): d.object_label,
                _("Lý do"): d.reason, _("Chi tiết"): "; ".join(f"{k}: {v}" for k, v in decision_details(d)),
            })  # fmt: skip
    return Section("decisions", _("Quyết định liên quan"), rows)


def _plain(value):
    return value if isinstance(value, bool | int | float) or value is None else str(value)


def person_data_json(sections: list[Section]) -> bytes:
    data = {s.key: {"title": str(s.title), "rows": [{str(k): _plain(v) for k, v in r.items()} for r in s.rows]} for s in sections}
    return json.dumps(data, ensure_ascii=False, indent=2).encode()


def person_data_workbook(target, sections: list[Section]) -> None:
    """One sheet per section, a bold header row; every text cell through excel_text (never a
    formula, never a character openpyxl refuses)."""
    workbook = Workbook(write_only=True)
    for section in sections:
        sheet = workbook.create_sheet(excel_text(section.title)[:31])
        columns = list(section.rows[0].keys()) if section.rows else [_("Không có dữ liệu")]
        header = []
        for name in columns:
            cell = WriteOnlyCell(sheet, value=excel_text(name))
            cell.font = Font(bold=True)
            header.append(cell)
        sheet.append(header)
        for row in section.rows:
            sheet.append([v if isinstance(v, bool | int | float) else excel_text(v) for v in row.values()])
    workbook.save(target)


# --- What reports hold (the hooks, on ReportsConfig) ---------------------------------------------


def _whose(user, prefix: str = "") -> Q:
    """The winner's details (or the looks at them) that are this person's: their quiz prize, or
    the prize of an essay they submitted (the one the award is paid to)."""
    return Q(**{f"{prefix}prize__user": user}) | Q(**{f"{prefix}essay_prize__essay__submitter": user})


def _prize_label(prize, essay_prize) -> str:
    if prize is not None:
        return f"{prize.get_tier_display()} – {prize.round.name}"
    if essay_prize is not None:
        return f"{essay_prize.get_tier_display()} – {essay_prize.essay.title}"
    return ""


WHERE = {"page": gettext_lazy("Trang thông tin nhận giải"), "export": gettext_lazy("Tệp danh sách người đạt giải")}


def export(*, user) -> list[Section]:
    from .certificates import certificates_query, certifies, display_code, with_status

    decisions = IntegrityDecision.objects.filter(users=user).order_by("decided_at")
    certificates = with_status(list(certificates_query().filter(user=user).order_by("issued_at", "pk")))
    related = ("prize__round", "essay_prize__essay")
    details = WinnerDetails.objects.filter(_whose(user)).select_related(*related).order_by("submitted_at", "pk")
    looks = WinnerDetailsAccess.objects.filter(_whose(user)).select_related(*related).order_by("viewed_at", "pk")
    return [
        Section("integrity", _("Kết luận rà soát"), [{
            _("Trường hợp"): d.key, _("Kết luận"): d.get_verdict_display(), _("Lý do"): d.reason,
            _("Lúc"): when(d.decided_at),
        } for d in decisions]),
        Section("certificates", _("Giấy chứng nhận"), [{
            _("Mã xác minh"): display_code(c.code), _("Cuộc thi"): c.contest.name, _("Loại"): c.get_kind_display(),
            _("Chứng nhận"): certifies(c), _("Họ và tên"): c.holder_name, _("Đơn vị"): c.unit_name,
            _("Ngày cấp"): when(c.issued_at), _("Còn hiệu lực"): c.valid,
        } for c in certificates]),
        # What was sent is never shown back (the form does not either): the file would carry a
        # citizen ID and a bank account wherever it is saved, and the account holder of an
        # essay's prize may be a co-author. The person learns that the details are held, for
        # which prize, since when, and every look at them.
        Section("winner_details", _("Thông tin nhận giải"), [{
            _("Giải"): _prize_label(d.prize, d.essay_prize), _("Gửi lúc"): when(d.submitted_at),
            _("Nội dung"): _("Số căn cước công dân, ngày sinh, địa chỉ, tài khoản ngân hàng (được mã hóa; "
                             "không đưa vào tệp này, xin liên hệ Tổ thư ký nếu cần xem)"),
        } for d in details]),
        Section("winner_details_accesses", _("Lượt xem thông tin nhận giải"), [{
            _("Giải"): _prize_label(a.prize, a.essay_prize), _("Lúc"): when(a.viewed_at), _("Người xem"): _("Tổ thư ký"),
            _("Ở đâu"): str(WHERE.get(a.where, a.where)),
        } for a in looks]),
    ]  # fmt: skip


def anonymize(*, user, label: str) -> None:
    # A certificate keeps its code and still holds while its prize does (the award happened);
    # the /verify/ page shows the pseudonym from now on. Co-authors' certificates of the
    # person's essays too: the essays hook renames those authors the same way.
    Certificate.objects.filter(user=user).update(holder_name=label)
    # The award's details are deleted (paid or not: the payment is the finance office's record);
    # the log of who looked at them stays and still names the prize.
    WinnerDetails.objects.filter(_whose(user)).delete()


def objects(*, user) -> dict[str, list[int]]:
    return {"reports.integritydecision": list(IntegrityDecision.objects.filter(users=user).values_list("pk", flat=True))}
