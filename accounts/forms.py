from allauth.account import app_settings as allauth_settings
from allauth.account import forms as allauth_forms
from django import forms
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from contests.cleaning import CleanTextFormMixin, clean_person_name
from contests.enums import NotificationKind
from contests.notifications import REQUIRED as REQUIRED_NOTIFICATIONS
from contests.notifications import channel_choices

from .models import Organization
from .phone import normalize_phone
from .selectors import organization_choice_groups

# Not on the profile's list: a judge's assignments (staff), the service messages nobody turns off.
NOT_CHOSEN = {NotificationKind.JUDGE_ASSIGNMENTS, NotificationKind.UNIT_DIGEST} | REQUIRED_NOTIFICATIONS


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

    notifications = forms.MultipleChoiceField(
        label=_("Nhận thông báo qua e-mail và tin nhắn"),
        choices=[(k.value, k.label) for k in NotificationKind if k not in NOT_CHOSEN],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tin nhắn SMS chỉ gửi tới số điện thoại đã xác minh khi đăng ký."),
    )
    channel = forms.ChoiceField(
        label=_("Nhận tin nhắn qua"),
        required=False,
        widget=forms.RadioSelect,
        help_text=_(
            "Zalo và SMS gửi tới số điện thoại đã xác minh; nếu tin Zalo không gửi được, hệ thống gửi bằng SMS. "
            "Chọn e-mail thì không gửi SMS khi tài khoản có e-mail."
        ),
        error_messages={"invalid_choice": _("Kênh nhận tin đã chọn không có; vui lòng chọn lại.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [("", _("— Chọn đơn vị —"))] + organization_choice_groups()
        self.fields["channel"].choices = [("", _("Mặc định (SMS và e-mail)")), *channel_choices()]

    def clean_full_name(self):
        return clean_person_name(self.cleaned_data["full_name"])

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


class SignupForm(allauth_forms.SignupForm):
    """allauth's sign-up: the mobile number first (verified by an SMS code), the e-mail address
    optional. Whether the number or the address already has an account, the page answers the same
    (the code page) and nothing sent tells the person at the form either:

    - a number with an account: no account is made and *no SMS is sent* (the owner is not texted;
      the code page says what to do when no code comes);
    - a taken e-mail address with a new number: the account is made without the address, the code
      goes to the number as for anyone, and the owner of the address is told by e-mail. (Holding
      the code back would tell whoever owns the number that the address has an account.)

    The consent to the notice on personal data (Decree 13) is asked here too: an unticked box,
    and the version of the notice the person was shown, which is the one recorded."""

    field_order = ["phone", "email", "password1", "password2", "consent"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .privacy import consent_version_current

        self.email_taken = ""
        self.fields["email"].label = _("E-mail (không bắt buộc)")
        self.fields["email"].help_text = _("Để nhận thông báo và lấy lại mật khẩu qua e-mail.")
        self.fields["consent"] = consent_field()
        self.fields["consent_version"] = forms.IntegerField(
            widget=forms.HiddenInput, required=False, initial=consent_version_current()
        )
        self.order_fields(self.field_order)

    def signup(self, request, user):
        from .net import client_ip
        from .privacy import consent_record, consent_text_shown

        text = consent_text_shown(self.cleaned_data.get("consent_version"))
        if text is not None:
            consent_record(user=user, text=text, ip=client_ip(request))

    def validate_unique_email(self, value):
        # A taken address is dropped, not refused (allauth would say "a user is already
        # registered…"): see the class docstring. try_save tells its owner.
        from allauth.account.adapter import get_adapter
        from allauth.account.utils import filter_users_by_email

        value = get_adapter().validate_unique_email(value)
        if filter_users_by_email(value):
            self.email_taken = value
            return ""
        return value

    def try_save(self, request):
        from allauth.account.adapter import get_adapter
        from allauth.core.internal import ratelimit

        user, response = super().try_save(request)
        # At most one such mail every few minutes per address ("confirm_email"), whatever is typed.
        if self.email_taken and ratelimit.consume(
            request, config=allauth_settings.RATE_LIMITS, action="confirm_email", key=self.email_taken
        ):
            get_adapter().send_account_already_exists_mail(self.email_taken)
        return user, response


class RequestLoginCodeForm(allauth_forms.RequestLoginCodeForm):
    """«Đăng nhập bằng mã»: a mobile number (the code comes by SMS) or an e-mail address."""

    field_order = ["phone", "email"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].required = False
        self.fields["phone"].help_text = _("Mã đăng nhập được gửi qua tin nhắn SMS.")
        self.fields["email"].label = _("hoặc e-mail")
        self.fields["email"].required = False
        self.fields["email"].help_text = _("Mã đăng nhập được gửi qua e-mail.")

    def clean_phone(self):
        try:
            return super().clean_phone()
        except forms.ValidationError as error:
            if error.code == "too_many_login_attempts":
                raise forms.ValidationError(
                    _("Đã gửi mã tới số này nhiều lần trong vài phút; vui lòng chờ ít phút rồi thử lại."), code=error.code
                ) from error
            raise

    def clean(self):
        cleaned_data = super().clean()
        if not self.errors and not cleaned_data.get("phone") and not cleaned_data.get("email"):
            raise forms.ValidationError(_("Vui lòng nhập số điện thoại di động hoặc địa chỉ e-mail."))
        return cleaned_data


class LoginForm(allauth_forms.LoginForm):
    """Sign-in with a password: a mobile number or an e-mail address in one box."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        login = self.fields["login"]
        login.label = _("Số điện thoại hoặc e-mail")
        login.widget.attrs.update({"placeholder": "0912 345 678", "autocomplete": "username", "autocapitalize": "none"})
        self.fields["password"].label = _("Mật khẩu")
        self.fields["password"].widget.attrs.pop("placeholder", None)

    def clean_login(self):
        # A number is looked up (and its failed attempts counted) as 0XXXXXXXXX however typed.
        login = super().clean_login()
        if "@" not in login:
            try:
                return normalize_phone(login)
            except forms.ValidationError:
                pass
        return login


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


class MemberImportForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp Excel (.xlsx)"),
        error_messages={"required": _("Vui lòng chọn tệp Excel danh sách thành viên.")},
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )
