from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from contests import notifications

from . import privacy, services
from .forms import ConsentForm, DeletionRequestForm, ProfileForm
from .net import client_ip
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


def _safe_next(request) -> str:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return ""
    return next_url


def privacy_notice(request):
    """The notice in force, for anyone (linked from the sign-up form)."""
    return render(request, "accounts/privacy_notice.html", {"text": privacy.consent_text_current()})


@login_required
def consent(request):
    """Consent to the notice in force: at sign-up for new people, here for everyone whose last
    consent was to an older version (profile_required and the login send them here)."""
    text = privacy.consent_text_current()
    next_url = _safe_next(request)
    if text is None or not privacy.consent_needed(request):
        return redirect(next_url or "home")
    form = ConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        privacy.consent_record(user=request.user, text=text, ip=client_ip(request))
        privacy.consent_remember(request)
        messages.success(request, _("Cảm ơn anh/chị đã đồng ý. Anh/chị có thể tiếp tục dự thi."))
        return redirect(next_url or "home")
    return render(request, "accounts/consent.html", {"text": text, "form": form, "next": next_url})


@login_required
def my_data(request):
    """The account's page on personal data: what is held, the download, the consents, the
    deletion request and its answer."""
    context = {
        "consents": request.user.consents.select_related("text").order_by("-given_at"),
        "requests": request.user.deletion_requests.order_by("-requested_at"),
        "pending": privacy.deletion_request_pending(request.user),
    }
    return render(request, "accounts/my_data.html", context)


@login_required
def deletion_request(request):
    """Ask for deletion: the reason, then a confirmation page that says what happens."""
    if privacy.deletion_request_pending(request.user) is not None:
        messages.info(request, _("Anh/chị đã gửi một yêu cầu xoá dữ liệu đang chờ xử lý."))
        return redirect("accounts:my_data")
    form = DeletionRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if request.POST.get("confirm") != "1":
            return render(request, "accounts/deletion_confirm.html", {"form": form, "reason": form.cleaned_data["reason"]})
        try:
            privacy.deletion_request_create(user=request.user, reason=form.cleaned_data["reason"])
        except privacy.PrivacyError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Đã gửi yêu cầu xoá dữ liệu. Tổ thư ký sẽ xử lý và trả lời anh/chị."))
        return redirect("accounts:my_data")
    return render(request, "accounts/deletion_request.html", {"form": form})
