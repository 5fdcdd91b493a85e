from allauth.account import app_settings as allauth_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.internal import ratelimit
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _

from contests.sms import SmsCeilingReached, SmsError, send_sms, sms_ceiling_check

from .fields import VietnamesePhoneField
from .net import client_ip
from .privacy import consent_needed
from .roles import is_staff
from .rules import is_unit_officer
from .selectors import profile_is_complete

# A failed login is counted per (account, client address) as well as per account: see
# docs/security.md, "Guessing passwords". The pair limit stops one guesser quickly; the
# per-account ceiling (allauth's own "login_failed" key limit) is high enough that a stranger
# cannot pause someone else's account from one address, and a password reset lifts it.
PAIR_ACTION = "login_failed_address"


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request):
        # A contestant who has not completed the profile is sent to finish it first;
        # organizers, the secretariat and judges work without one.
        user = request.user
        if not is_staff(user) and consent_needed(request):
            return reverse("accounts:consent")
        if not profile_is_complete(user) and not is_staff(user):
            # A unit officer who does not compete lands on their units, not on a contestant form.
            if is_unit_officer(user):
                return reverse("reports:units")
            return reverse("accounts:profile")
        return super().get_login_redirect_url(request)

    def get_login_stages(self):
        # allauth's phone verification stage lets an account without a number log in (stages.py).
        replaced = {
            "allauth.account.stages.EmailVerificationStage": "accounts.stages.SignupEmailVerificationStage",
            "allauth.account.stages.PhoneVerificationStage": "accounts.stages.SignupPhoneVerificationStage",
        }
        return [replaced.get(stage, stage) for stage in super().get_login_stages()]

    # --- Sign-in by mobile number (allauth's phone support); the number lives on User.phone ---

    def phone_form_field(self, **kwargs):
        return VietnamesePhoneField(**kwargs)

    def clean_phone(self, phone: str) -> str:
        from .phone import normalize_phone

        return normalize_phone(phone)

    def set_phone(self, user, phone: str, verified: bool):
        user.phone = phone
        user.phone_verified = verified
        if user.pk:
            user.save(update_fields=["phone", "phone_verified"])

    def get_phone(self, user):
        if not user.phone:
            return None
        return user.phone, user.phone_verified

    def set_phone_verified(self, user, phone: str):
        get_user_model().objects.filter(pk=user.pk, phone=phone).update(phone_verified=True)
        user.phone_verified = True

    def get_user_by_phone(self, phone: str):
        try:
            phone = self.clean_phone(phone)
        except ValidationError:
            return None
        return get_user_model().objects.filter(phone=phone, is_active=True).first()

    def _send_sms(self, phone: str, body: str | None) -> None:
        """Every SMS of the sign-in flows. Counted per number a day ("sms_phone": an SMS flood of
        someone's phone stops there) and against the site-wide ceiling (contests.sms: over it,
        SmsCeilingReached goes up to the 429 page); a gateway failure is told, not a 500.

        `body` None is a code that is *not* sent — to a number without an account at sign-in, or
        a number that has one at sign-up: texting them would let anyone pump SMS to numbers of
        their choosing, or learn from the text who has an account. Everything else a person can
        observe happens as for a sent code: the per-number count, the ceiling, the same page."""
        request = self.request
        if not ratelimit.consume(request, config=allauth_settings.RATE_LIMITS, action="sms_phone", key=phone):
            self._sms_problem(_("Số điện thoại này đã nhận quá nhiều tin nhắn hôm nay; vui lòng thử lại vào ngày mai."))
            return
        try:
            if body is None:
                sms_ceiling_check()
            else:
                send_sms(to=phone, body=body)
        except SmsCeilingReached:
            raise
        except SmsError:
            self._sms_problem(_("Chưa gửi được tin nhắn tới số điện thoại này; vui lòng thử lại sau ít phút."))

    def _sms_problem(self, text: str) -> None:
        if self.request is not None and hasattr(self.request, "_messages"):
            messages.error(self.request, text)

    def send_verification_code_sms(self, user, phone: str, code: str, **kwargs):
        self._send_sms(
            phone,
            _("Mã xác thực Cuộc thi của anh/chị là %(code)s. Mã có hiệu lực trong ít phút; không chia sẻ mã cho ai.")
            % {"code": code},
        )

    def send_unknown_account_sms(self, phone: str, **kwargs) -> None:
        # Sign-in by code for a number without an account: nothing is sent (see _send_sms).
        self._send_sms(phone, None)

    def send_account_already_exists_sms(self, phone: str) -> None:
        # Sign-up with a number that has an account: nothing is sent; the code page says what to
        # do when no code comes (templates/account/confirm_phone_verification_code.html).
        self._send_sms(phone, None)

    def _get_login_attempts_cache_key(self, request, **credentials):
        # allauth keys failed logins by e-mail or username only; a number is an account too.
        if credentials.get("phone") and not credentials.get("email"):
            return f"phone:{credentials['phone']}"
        return super()._get_login_attempts_cache_key(request, **credentials)

    def get_client_ip(self, request) -> str:
        return client_ip(request)

    def _pair_key(self, request, **credentials) -> str:
        return f"{self._get_login_attempts_cache_key(request, **credentials)}|{client_ip(request)}"

    def pre_authenticate(self, request, **credentials):
        # The pair first: a guesser it stops does not use up the account's ceiling.
        pair_usage = ratelimit.consume(
            request, config=allauth_settings.RATE_LIMITS, action=PAIR_ACTION, key=self._pair_key(request, **credentials)
        )
        if not pair_usage:
            raise self.validation_error("too_many_login_attempts")
        super().pre_authenticate(request, **credentials)
        # A successful login rolls back everything this attempt consumed (allauth's behaviour).
        self._login_failed_rl_usage.usage.extend(pair_usage.usage)

    def _delete_login_attempts_cached_email(self, request, **credentials):
        # A password reset lifts the account's ceiling and the resetting address's own pair.
        super()._delete_login_attempts_cached_email(request, **credentials)
        ratelimit.clear(
            request, config=allauth_settings.RATE_LIMITS, action=PAIR_ACTION, key=self._pair_key(request, **credentials)
        )
