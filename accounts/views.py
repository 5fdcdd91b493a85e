from allauth.account import views as allauth_views
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from contests import notifications
from contests.permissions import permission_required
from contests.sms import SmsCeilingReached, SmsError, sms_ceiling_check

from . import invitations, members, privacy
from .enums import InvitationChannel
from .forms import ConsentForm, DeletionRequestForm, MemberImportForm, ProfileForm
from .models import InvitationBatch
from .net import client_ip
from .rules import get_unit_for_user, units_in_reach
from .selectors import member_rows, organization_label, profile_for_user, rows_for_page

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _invited_member(request):
    """The invitation followed in this browser, if it may apply: to a signed-in person only when
    their verified sign-in number is the listed one (members.invitation_matches); otherwise it is
    dropped with a message and nothing of it is filled in. Before sign-up it only suggests the
    number, which the SMS code then proves."""
    signed = request.session.get(members.SESSION_KEY)
    member = members.member_for_invitation(signed) if signed else None
    if member is None or not request.user.is_authenticated:
        return member
    if not members.invitation_matches(member=member, user=request.user):
        request.session.pop(members.SESSION_KEY, None)
        messages.error(
            request,
            _("Lời mời này dành cho một số điện thoại khác với số đăng nhập đã xác minh của anh/chị, nên thông tin "
              "trong lời mời không được áp dụng. Nếu đây là lời mời của anh/chị, hãy đăng nhập bằng đúng số điện "
              "thoại có trong danh sách của đơn vị."),
        )  # fmt: skip
        return None
    return member


@login_required
def profile_edit(request):
    profile = profile_for_user(request.user)
    member = _invited_member(request)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        next_url = ""
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            chosen = set(form.cleaned_data.pop("notifications"))
            channel = form.cleaned_data.pop("channel")
            accepted = members.profile_save_invited(user=request.user, member=member, **form.cleaned_data)
            request.session.pop(members.SESSION_KEY, None)
            shown = [value for value, _label in form.fields["notifications"].choices]
            notifications.preferences_set(user_id=request.user.pk, choices={k: k in chosen for k in shown})
            notifications.channel_choice_set(user_id=request.user.pk, channel=channel)
            messages.success(request, _("Đã lưu thông tin cá nhân."))
            if accepted:
                messages.success(
                    request, _("Anh/chị đã có tên trong danh sách của %(unit)s.") % {"unit": member.organization.name}
                )
            return redirect(next_url or "home")
    else:
        wanted = notifications.preferences_for(request.user)
        # The sign-in number (verified by SMS) is the first guess of the contact number.
        initial = {
            "full_name": request.user.full_name,
            "phone": request.user.phone or "",
            "notifications": [kind for kind, on in wanted.items() if on],
            "channel": notifications.channel_choice_for(request.user),
        }
        if profile:
            initial |= {
                "phone": profile.phone,
                "organization": profile.organization_id,
                "position": profile.position,
                "is_party_member": "1" if profile.is_party_member else "0",
            }
        elif member:
            initial |= members.invitation_profile_initial(member)
        form = ProfileForm(initial=initial)
        shown = {value for value, _label in form.fields["notifications"].choices}
        form.initial["notifications"] = [kind for kind in initial["notifications"] if kind in shown]
    return render(request, "accounts/profile.html", {"form": form, "profile": profile, "next": next_url, "member": member})


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


class SignupView(allauth_views.SignupView):
    """allauth's sign-up, with the number and the e-mail of an invitation followed in this browser
    filled in (the rest of the list's data fills the profile after)."""

    def form_valid(self, form):
        # Over the site-wide SMS ceiling the code could not be sent: the 429 page before an account
        # is made that nobody could verify (a known number answers the same: no enumeration).
        try:
            sms_ceiling_check()
        except SmsCeilingReached:
            raise
        except SmsError:
            form.add_error(None, _("Chưa gửi được tin nhắn mã xác thực lúc này; vui lòng thử lại sau ít phút."))
            return self.form_invalid(form)
        return super().form_valid(form)

    def get_initial(self):
        initial = super().get_initial()
        member = _invited_member(self.request)
        if member is not None:
            initial.setdefault("phone", member.phone)
            if member.email:
                initial.setdefault("email", member.email)
        return initial


def invitation(request, signed):
    """An invitation link: kept in the session so the profile is prefilled after sign-up (or
    right away for someone already signed in)."""
    member = members.member_for_invitation(signed)
    if member is None:
        return render(request, "accounts/invitation_invalid.html", status=404)
    request.session[members.SESSION_KEY] = signed
    if request.user.is_authenticated:
        return redirect("accounts:profile")
    if request.method == "POST" or request.GET.get("go"):
        return redirect("account_signup")
    context = {"member": member, "unit": organization_label(member.organization)}
    return render(request, "accounts/invitation.html", context)


def _unit(request, pk):
    return get_unit_for_user(request.user, pk)


@permission_required("accounts.manage_members")
def member_import(request, pk):
    """Import a member list into a unit's subtree: an officer for their units, organizers and
    the secretariat for any unit. A unit outside the user's reach is a 404."""
    unit = _unit(request, pk)
    form = MemberImportForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        summary, errors = members.members_import_upload(file=form.cleaned_data["file"], by=request.user, organization=unit)
        if summary:
            messages.success(request, summary)
            return redirect("accounts:unit_members", pk=unit.pk)
    context = {"form": form, "errors": errors, "unit": unit, "unit_label": organization_label(unit)}
    return render(request, "accounts/member_import.html", context, status=400 if errors else 200)


@permission_required("accounts.manage_members")
def member_template(request):
    if not units_in_reach(request.user).exists():
        raise PermissionDenied
    response = HttpResponse(members.members_template(user=request.user), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="danh-sach-thanh-vien.xlsx"'
    return response


def invitation_messages(request, result) -> None:
    if result.batch is not None:
        messages.success(
            request,
            ngettext(
                "Đang gửi lời mời cho %(n)d người: %(sms)d tin nhắn SMS, %(email)d e-mail.",
                "Đang gửi lời mời cho %(n)d người: %(sms)d tin nhắn SMS, %(email)d e-mail.",
                result.people,
            )
            % {"n": result.people, "sms": result.sms, "email": result.email},
        )
    if result.limited:
        messages.warning(
            request,
            ngettext(
                "%(n)d người chưa được gửi thêm: mỗi số điện thoại, mỗi địa chỉ e-mail chỉ nhận một lời mời "
                "mỗi ngày, và mỗi người nhận tối đa %(sms)d tin nhắn mời.",
                "%(n)d người chưa được gửi thêm: mỗi số điện thoại, mỗi địa chỉ e-mail chỉ nhận một lời mời "
                "mỗi ngày, và mỗi người nhận tối đa %(sms)d tin nhắn mời.",
                result.limited,
            )
            % {"n": result.limited, "sms": invitations.SMS_PER_MEMBER},
        )
    elif result.batch is None:
        messages.info(request, _("Không có ai cần gửi lời mời: mọi người trong danh sách đã được mời hoặc đã đăng ký."))


@permission_required("accounts.manage_members")
@require_POST
def invitations_send(request, pk):
    """Queue the invitations of everyone in the unit's subtree never invited (sent by the worker)."""
    unit = _unit(request, pk)
    result = invitations.invitations_queue(organization=unit, by=request.user)
    invitation_messages(request, result)
    if result.batch is not None:
        return redirect("accounts:invitation_batch", pk=unit.pk, batch=result.batch.pk)
    return redirect("accounts:unit_members", pk=unit.pk)


@permission_required("accounts.manage_members")
@require_POST
def invitation_resend(request, pk):
    """«Gửi lại» for one person of the unit's subtree who has not signed up, within the limits."""
    unit = _unit(request, pk)
    member_id = request.POST.get("member", "")
    ids = [int(member_id)] if member_id.isdigit() else []
    result = invitations.invitations_queue(organization=unit, by=request.user, member_ids=ids)
    invitation_messages(request, result)
    return redirect(reverse("accounts:unit_members", args=[unit.pk]) + "#m" + (member_id if member_id.isdigit() else ""))


@permission_required("accounts.manage_members")
def invitation_batch(request, pk, batch):
    """A batch's progress: the page refreshes itself while invitations wait to be sent."""
    unit = _unit(request, pk)
    found = get_object_or_404(InvitationBatch, pk=batch, organization=unit)
    progress = invitations.batch_progress(found)
    channels = [(label, progress.by_channel[value]) for value, label in InvitationChannel.choices]
    context = {"unit": unit, "unit_label": organization_label(unit), "batch": found, "progress": progress, "channels": channels}
    return render(request, "accounts/invitation_batch.html", context)


MEMBERS_PAGE = 50


@permission_required("accounts.manage_members")
def unit_members(request, pk):
    """The unit's member list: who was invited, by which channel and when, and who signed up."""
    unit = _unit(request, pk)
    show = request.GET.get("show", "")
    listing = member_rows(organization=unit, show=show)
    paginator = Paginator(listing.members, MEMBERS_PAGE)
    paginator.count = listing.counts[listing.show or "all"]  # counted already, with the other filters
    page = paginator.get_page(request.GET.get("page"))
    rows, unit_label = rows_for_page(page.object_list, unit=unit)
    context = {
        "unit": unit,
        "unit_label": unit_label,
        "show": listing.show,
        "filters": listing.filters,
        "counts": listing.counts,
        "page": page,
        "rows": rows,
        "sms_limit": invitations.SMS_PER_MEMBER,
    }
    return render(request, "accounts/unit_members.html", context)
