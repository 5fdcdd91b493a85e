from django import forms
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from contests.cleaning import CleanTextFormMixin

from .models import Organization
from .phone import normalize_phone
from .selectors import organization_choice_groups


class UnitSelect(forms.Select):
    """The unit list: a grouped <select> that static/js/site.js turns into a search whose results
    show each unit's full path, chosen by a tap (never picked for the person). The texts of the
    search come from here, translated at render time."""

    def __init__(self, attrs=None, choices=()):
        super().__init__({"data-unit-select": "", **(attrs or {})}, choices)

    def get_context(self, name, value, attrs):
        attrs = {
            "data-msg-placeholder": _("Tìm đơn vị…"),
            "data-msg-results": _("Đơn vị tìm thấy"),
            "data-msg-chosen": _("Đã chọn:"),
            "data-msg-none": _("Không tìm thấy đơn vị nào; thử gõ ít chữ hơn."),
            "data-msg-count": _("{n} đơn vị — chạm vào đơn vị của anh/chị để chọn."),
            "data-msg-more": _("Còn {n} đơn vị nữa; gõ thêm để thu hẹp."),
            **(attrs or {}),
        }
        return super().get_context(name, value, attrs)


class ProfileForm(CleanTextFormMixin, forms.Form):
    full_name = forms.CharField(
        label=_("Họ và tên"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name", "placeholder": _("Nguyễn Văn An")}),
        error_messages={"required": _("Vui lòng nhập họ và tên.")},
    )
    phone = forms.CharField(
        label=_("Số điện thoại di động"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel", "placeholder": "0912 345 678"}),
        error_messages={"required": _("Vui lòng nhập số điện thoại.")},
    )
    organization = forms.ModelChoiceField(
        label=_("Đơn vị"),
        queryset=Organization.objects.filter(is_active=True),
        help_text=_("Gõ vài chữ trong tên đơn vị (có dấu hay không dấu đều được), rồi chạm vào đơn vị của anh/chị."),
        error_messages={
            "required": _("Vui lòng chọn đơn vị công tác."),
            "invalid_choice": _("Đơn vị đã chọn không tồn tại; vui lòng chọn lại."),
        },
        widget=UnitSelect(),
    )
    position = forms.CharField(
        label=_("Chức vụ, vị trí công tác"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "organization-title", "placeholder": _("Chuyên viên")}),
        error_messages={"required": _("Vui lòng nhập chức vụ hoặc vị trí công tác.")},
    )
    is_party_member = forms.TypedChoiceField(
        label=_("Là đảng viên?"),
        choices=[("1", _("Có")), ("0", _("Không"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        error_messages={"required": _("Vui lòng cho biết anh/chị có phải là đảng viên không.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [("", _("— Chọn đơn vị —"))] + organization_choice_groups()

    def clean_full_name(self):
        name = " ".join(self.cleaned_data["full_name"].split())
        if len(name) < 2 or any(ch.isdigit() for ch in name):
            raise forms.ValidationError(_("Họ và tên không hợp lệ: chỉ gồm chữ cái, có dấu tiếng Việt."))
        return name

    def clean_phone(self):
        return normalize_phone(self.cleaned_data["phone"])


class OrganizationImportForm(forms.Form):
    file = forms.FileField(label=_("Tệp Excel (.xlsx)"))


class ConsentCheckbox(forms.CheckboxInput):
    # No `required` attribute: the browser would stop the form with its own message (in the
    # browser's language); the server answers in Vietnamese instead.
    def use_required_attribute(self, initial):
        return False


def consent_field() -> forms.BooleanField:
    """The unticked box of consent, with the notice linked."""
    return forms.BooleanField(
        widget=ConsentCheckbox,
        label=_("Tôi đã đọc và đồng ý với Thông báo về xử lý dữ liệu cá nhân của Ban Tổ chức."),
        required=True,
        help_text=format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>',
            reverse("accounts:privacy_notice"),
            _("Đọc Thông báo về xử lý dữ liệu cá nhân (mở trang mới)"),
        ),
        error_messages={
            "required": _("Vui lòng đánh dấu ô đồng ý với Thông báo về xử lý dữ liệu cá nhân; không có sự đồng ý, "
                          "Ban Tổ chức không thể nhận đăng ký dự thi.")
        },
    )  # fmt: skip


class SignupConsentForm(forms.Form):
    """allauth's sign-up form gets these fields (ACCOUNT_SIGNUP_FORM_CLASS): the consent, and
    the version of the notice the person was shown, which is the one recorded."""

    consent_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    field_order = ["email", "password1", "password2", "consent"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .privacy import consent_version_current

        self.fields["consent"] = consent_field()
        self.fields["consent_version"].initial = consent_version_current()

    def signup(self, request, user):
        from .net import client_ip
        from .privacy import consent_record, consent_text_shown

        text = consent_text_shown(self.cleaned_data.get("consent_version"))
        if text is not None:
            consent_record(user=user, text=text, ip=client_ip(request))


class ConsentForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consent"] = consent_field()


class DeletionRequestForm(CleanTextFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Lý do"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Ví dụ: tôi không còn tham gia cuộc thi và muốn xoá thông tin cá nhân."),
        error_messages={"required": _("Vui lòng cho biết lý do yêu cầu xoá dữ liệu.")},
    )


class DeletionHandleForm(CleanTextFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("Xử lý"),
        choices=[("approve", _("Ẩn danh hoá dữ liệu của người này")), ("refuse", _("Từ chối (ghi rõ lý do)"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Vui lòng chọn cách xử lý.")},
    )
    note = forms.CharField(label=_("Ghi chú, lý do"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self):
        data = super().clean()
        if data.get("decision") == "refuse" and not (data.get("note") or "").strip():
            self.add_error("note", _("Vui lòng ghi lý do từ chối để trả lời người yêu cầu."))
        return data
