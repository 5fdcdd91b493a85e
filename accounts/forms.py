from django import forms
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


class MemberImportForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp Excel (.xlsx)"),
        error_messages={"required": _("Vui lòng chọn tệp Excel danh sách thành viên.")},
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )
