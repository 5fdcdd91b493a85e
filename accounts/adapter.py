from allauth.account import app_settings as allauth_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.internal import ratelimit
from django.urls import reverse

from .enums import Role
from .net import client_ip
from .roles import has_role, is_staff
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
        if not profile_is_complete(user) and not is_staff(user):
            # A unit officer who does not compete lands on their units, not on a contestant form.
            if has_role(user, Role.UNIT_OFFICER):
                return reverse("reports:units")
            return reverse("accounts:profile")
        return super().get_login_redirect_url(request)

    def get_login_stages(self):
        # allauth's e-mail verification stage, applied to sign-up only (accounts/stages.py).
        replaced = {"allauth.account.stages.EmailVerificationStage": "accounts.stages.SignupEmailVerificationStage"}
        return [replaced.get(stage, stage) for stage in super().get_login_stages()]

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
