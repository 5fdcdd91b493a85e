from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from contests import notifications

from . import services
from .forms import ProfileForm
from .selectors import profile_for_user


@login_required
def profile_edit(request):
    profile = profile_for_user(request.user)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        next_url = ""
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            chosen = set(form.cleaned_data.pop("notifications"))
            services.profile_save(user=request.user, **form.cleaned_data)
            shown = [value for value, _label in form.fields["notifications"].choices]
            notifications.preferences_set(user_id=request.user.pk, choices={k: k in chosen for k in shown})
            messages.success(request, _("Đã lưu thông tin cá nhân."))
            return redirect(next_url or "home")
    else:
        wanted = notifications.preferences_for(request.user)
        # The sign-in number (verified by SMS) is the first guess of the contact number.
        initial = {
            "full_name": request.user.full_name,
            "phone": request.user.phone or "",
            "notifications": [kind for kind, on in wanted.items() if on],
        }
        if profile:
            initial |= {
                "phone": profile.phone,
                "organization": profile.organization_id,
                "position": profile.position,
                "is_party_member": "1" if profile.is_party_member else "0",
            }
        form = ProfileForm(initial=initial)
    return render(request, "accounts/profile.html", {"form": form, "profile": profile, "next": next_url})
