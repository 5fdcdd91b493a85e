from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse

from .roles import is_staff
from .selectors import profile_is_complete


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request):
        # A contestant who has not completed the profile is sent to finish it first;
        # organizers, the secretariat and judges work without one.
        user = request.user
        if not profile_is_complete(user) and not is_staff(user):
            return reverse("accounts:profile")
        return super().get_login_redirect_url(request)
