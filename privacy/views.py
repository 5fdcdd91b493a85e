"""Personal data pages: a person's download of everything held about them (account area), and
the secretariat's queue of deletion requests. The writes are accounts.privacy's."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import privacy
from accounts.forms import DeletionHandleForm
from accounts.models import DeletionRequest
from contests.downloads import download as file_download
from contests.permissions import permission_required

from .personal_data import person_data, person_data_json, person_data_workbook


@login_required
def my_data_download(request, fmt: str):
    """«Tải dữ liệu của tôi»: the signed-in person's own data, and nobody else's."""
    sections = person_data(user=request.user)
    name = f"du-lieu-ca-nhan-{timezone.localdate():%Y%m%d}"
    title = f"{_('Dữ liệu cá nhân')}: {request.user.full_name or request.user.email}"
    if fmt == "json":
        response = HttpResponse(person_data_json(sections), content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.json"'
    else:
        response = file_download(f"{name}.xlsx", lambda buffer: person_data_workbook(buffer, sections, title=title))
    response["Cache-Control"] = "no-store"
    return response


@permission_required("privacy.handle_deletion")
def deletion_queue(request):
    pending = DeletionRequest.objects.filter(status=DeletionRequest.Status.PENDING).select_related("user")
    handled = DeletionRequest.objects.exclude(status=DeletionRequest.Status.PENDING).select_related("user", "handled_by")
    page = Paginator(handled.order_by("-handled_at", "-pk"), 50).get_page(request.GET.get("page"))
    return render(request, "privacy/deletion_queue.html", {"pending": pending.order_by("requested_at"), "page": page})


@permission_required("privacy.handle_deletion")
def deletion_handle(request, pk: int):
    """One request: who, why, what is held; then anonymize or refuse (with a reason)."""
    item = get_object_or_404(DeletionRequest.objects.select_related("user__profile__organization"), pk=pk)
    form = DeletionHandleForm(request.POST or None)
    if request.method == "POST" and item.status == DeletionRequest.Status.PENDING and form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        try:
            privacy.deletion_request_handle(request=item, by=request.user, approve=approve, note=form.cleaned_data["note"])
        except privacy.PrivacyError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                privacy.pseudonym_done_message(item.user_id) if approve else _refused(),
            )
        return redirect("reports:deletion_queue")
    return render(request, "privacy/deletion_handle.html", {"item": item, "form": form})


def _refused() -> str:
    from django.utils.translation import gettext as _

    return _("Đã từ chối yêu cầu; lý do được lưu và người yêu cầu thấy trên trang dữ liệu cá nhân.")
