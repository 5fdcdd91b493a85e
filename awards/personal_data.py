"""What awards hold about a person (the hooks of contests.personal_data, on AwardsConfig):
certificates, winners' details for the award and every look at them."""

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contests.personal_data import Section, when

from .models import VOTE_TIER, Certificate, WinnerDetails, WinnerDetailsAccess, tier_label


def _whose(user, prefix: str = "") -> Q:
    """The winner's details (or the looks at them) that are this person's: their quiz prize, or
    the prize (jury's or readers' vote) of an essay they submitted (the one the award is paid to)."""
    return (
        Q(**{f"{prefix}prize__user": user})
        | Q(**{f"{prefix}essay_prize__essay__submitter": user})
        | Q(**{f"{prefix}vote_prize__essay__submitter": user})
    )


def _prize_label(prize, essay_prize, vote_prize=None) -> str:
    if prize is not None:
        return f"{prize.get_tier_display()} – {prize.round.name}"
    if essay_prize is not None:
        return f"{essay_prize.get_tier_display()} – {essay_prize.essay.title}"
    if vote_prize is not None:
        return f"{tier_label(VOTE_TIER)} – {vote_prize.essay.title}"
    return ""


WHERE = {
    "page": gettext_lazy("Trang thông tin nhận giải"),
    "export": gettext_lazy("Tệp danh sách người đạt giải"),
    "payments": gettext_lazy("Danh sách chuyển khoản tiền thưởng"),
}


def export(*, user) -> list[Section]:
    from .certificates import certificates_query, certifies, display_code, with_status

    certificates = with_status(list(certificates_query().filter(user=user).order_by("issued_at", "pk")))
    related = ("prize__round", "essay_prize__essay", "vote_prize__essay")
    details = WinnerDetails.objects.filter(_whose(user)).select_related(*related).order_by("submitted_at", "pk")
    looks = WinnerDetailsAccess.objects.filter(_whose(user)).select_related(*related).order_by("viewed_at", "pk")
    return [
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
            _("Giải"): _prize_label(d.prize, d.essay_prize, d.vote_prize), _("Gửi lúc"): when(d.submitted_at),
            _("Nội dung"): _("Số căn cước công dân, ngày sinh, địa chỉ, tài khoản ngân hàng (được mã hóa; "
                             "không đưa vào tệp này, xin liên hệ Tổ thư ký nếu cần xem)"),
        } for d in details]),
        Section("winner_details_accesses", _("Lượt xem thông tin nhận giải"), [{
            _("Giải"): _prize_label(a.prize, a.essay_prize, a.vote_prize), _("Lúc"): when(a.viewed_at),
            _("Người xem"): _("Tổ thư ký"), _("Ở đâu"): str(WHERE.get(a.where, a.where)),
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
