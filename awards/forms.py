import datetime
import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contests.cleaning import CleanTextFormMixin, validate_line


class WinnerDetailsForm(CleanTextFormMixin, forms.Form):
    """What the award needs from a winner. Every message says what to fix, in Vietnamese."""

    citizen_id = forms.CharField(
        label=_("Số căn cước công dân (CCCD)"), max_length=20,
        help_text=_("12 chữ số, in trên thẻ căn cước."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )  # fmt: skip
    birth_date = forms.DateField(
        label=_("Ngày sinh"), input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        help_text=_("Ví dụ: 19/09/1985."),
        widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy", "autocomplete": "bday"}),
        error_messages={"invalid": _("Ngày sinh chưa đúng dạng ngày/tháng/năm, ví dụ 19/09/1985.")},
    )  # fmt: skip
    address = forms.CharField(
        label=_("Địa chỉ thường trú"), max_length=300, widget=forms.TextInput(attrs={"autocomplete": "street-address"})
    )
    bank_account = forms.CharField(
        label=_("Số tài khoản ngân hàng"), max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )  # fmt: skip
    bank_name = forms.CharField(label=_("Ngân hàng, chi nhánh"), max_length=150)
    account_holder = forms.CharField(label=_("Chủ tài khoản"), max_length=150, help_text=_("Như in trên thẻ ngân hàng."))

    def clean_citizen_id(self):
        value = re.sub(r"[\s.]", "", self.cleaned_data["citizen_id"])
        if not re.fullmatch(r"\d{12}", value):
            raise forms.ValidationError(_("Số căn cước công dân gồm đúng 12 chữ số."))
        # The first three digits are the province of birth registration: 001 to 096.
        if not 1 <= int(value[:3]) <= 96:
            raise forms.ValidationError(_("Ba chữ số đầu của số căn cước công dân là mã tỉnh (001–096); xin kiểm tra lại."))
        return value

    def clean_birth_date(self):
        value = self.cleaned_data["birth_date"]
        today = timezone.localdate()
        if value > today - datetime.timedelta(days=365 * 14) or value.year < 1900:
            raise forms.ValidationError(_("Ngày sinh không hợp lệ; xin kiểm tra lại năm sinh."))
        return value

    def clean_bank_account(self):
        value = re.sub(r"[\s.\-]", "", self.cleaned_data["bank_account"])
        if not re.fullmatch(r"\d{6,20}", value):
            raise forms.ValidationError(_("Số tài khoản gồm 6 đến 20 chữ số, không có chữ cái."))
        return value

    def clean_account_holder(self):
        return self.cleaned_data["account_holder"].upper()


class WinnerDetailsChangeForm(WinnerDetailsForm):
    """The secretariat's correction of a winner's details: every field again, and why."""

    reason = forms.CharField(
        label=_("Lý do sửa"), max_length=500, validators=[validate_line],
        help_text=_("Ví dụ: người đạt giải gọi điện báo sai số tài khoản. Lý do được ghi vào nhật ký quyết định."),
        error_messages={"required": _("Xin ghi lý do sửa thông tin nhận giải.")},
    )  # fmt: skip
