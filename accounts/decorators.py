from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from .privacy import consent_needed
from .selectors import profile_is_complete


def profile_required(view):
    """Taking part needs consent to the notice in force and a complete profile: send the user to
    give them, then back here."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if consent_needed(request):
            messages.info(request, _("Vui lòng đọc và đồng ý với Thông báo về xử lý dữ liệu cá nhân trước khi dự thi."))
            back = request.get_full_path() if request.method == "GET" else request.headers.get("Referer", "/")
            return redirect(f"{reverse('accounts:consent')}?{urlencode({'next': back})}")
        if not profile_is_complete(request.user):
            messages.info(request, _("Vui lòng hoàn thiện thông tin cá nhân trước khi dự thi."))
            back = request.get_full_path() if request.method == "GET" else request.headers.get("Referer", "/")
            return redirect(f"{reverse('accounts:profile')}?{urlencode({'next': back})}")
        return view(request, *args, **kwargs)

    return wrapper
