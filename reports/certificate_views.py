"""Certificates (public verification, the owner's download, the secretariat's bulk issue) and
winners' details (the winner's form, the secretariat's list and look-up)."""

from allauth.core.internal import ratelimit
from django.conf import settings
from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from accounts.enums import Role
from accounts.roles import role_required
from contests.selectors import current_contest

from . import certificates as certs
from . import rules, services
from . import winner_details as details
from .forms import WinnerDetailsForm
from .models import Certificate, ExportJob


def _contest():
    contest = current_contest()
    if contest is None:
        raise Http404
    return contest


# --- public verification ------------------------------------------------------------------


def _limited(request, action: str, *, dry_run=False) -> bool:
    config = settings.CERTIFICATE_VERIFY_RATE_LIMITS
    return not ratelimit.consume(request, action=action, config=config, limit_get=True, dry_run=dry_run)


@never_cache
def verify(request, code):
    """Public, no login: what a certificate certifies and whether it still holds. Look-ups are
    limited per address, unknown codes more strictly, so codes cannot be harvested by guessing."""
    if _limited(request, "certificate_verify_miss", dry_run=True) or _limited(request, "certificate_verify"):
        return render(request, "reports/verify_limited.html", status=429)
    cert = certs.certificate_by_code(certs.normalize_code(code))
    if cert is None:
        _limited(request, "certificate_verify_miss")
        return render(request, "reports/verify_unknown.html", {"code": code[:40]}, status=404)
    if cert.code != code:  # typed with a dash, in lower case…: one address per certificate
        return redirect("certs:verify", code=cert.code)
    return render(
        request,
        "reports/verify.html",
        {"cert": cert, "certifies": certs.certifies(cert), "code": certs.display_code(cert.code)},
    )


def verify_form(request):
    """/verify/?code=… — for a code read off the paper."""
    raw = request.GET.get("code", "")
    if raw:
        code = certs.normalize_code(raw)
        return redirect("certs:verify", code=code or raw[:40])
    return render(request, "reports/verify_form.html")


# --- the owner's download -------------------------------------------------------------------


def certificate_download(request, pk):
    """The PDF, drawn on demand, for its owner or the office; anyone else gets 404 (not 403: the
    answer does not tell that the certificate exists). A revoked certificate is not handed out."""
    cert = certs.certificates_query().filter(pk=pk).first()
    if cert is None or not rules.can_download_certificate(request.user, cert) or not certs.with_status([cert])[0].valid:
        raise Http404
    pdf = certs.certificate_pdf(cert, url=certs.verify_url(cert.code, request))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="giay-chung-nhan-{cert.code}.pdf"'
    patch_cache_control(response, private=True, no_store=True)
    return response


# --- the secretariat: issue in bulk ---------------------------------------------------------


@role_required(Role.SECRETARIAT, Role.ORGANIZER)
def certificates_overview(request):
    contest = _contest()
    if request.method == "POST":
        job = services.certificates_request(contest=contest, user=request.user)
        return redirect("reports:certificates_job", pk=job.pk)
    counts = {row["kind"]: row["n"] for row in Certificate.objects.filter(contest=contest).values("kind").annotate(n=Count("pk"))}
    kinds = [(label, counts.get(kind, 0)) for kind, label in Certificate.Kind.choices]
    last_job = ExportJob.objects.filter(contest=contest, kind=services.CERTIFICATES).first()
    return render(request, "reports/certificates.html", {"contest": contest, "kinds": kinds, "last_job": last_job})


@role_required(Role.SECRETARIAT, Role.ORGANIZER)
def certificates_job(request, pk):
    job = get_object_or_404(ExportJob, pk=pk, kind=services.CERTIFICATES)
    return render(request, "reports/certificates_job.html", {"job": job})


# --- winners' details -----------------------------------------------------------------------


@never_cache
def winner_details_form(request, token):
    """The winner's form, reached by the signed link (e-mailed, or on "Kết quả của tôi"). The
    link is the key: no login needed. What was sent is never shown back."""
    winner = details.prize_from_token(token)
    if winner is None:
        return render(request, "reports/winner_details_link_invalid.html", status=404)
    form = WinnerDetailsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        details.winner_details_save(winner=winner, data=form.cleaned_data, by=request.user)
        messages.success(request, _("Đã nhận thông tin nhận giải. Cảm ơn anh/chị!"))
        return redirect("certs:winner_details", token=token)
    context = {"form": form, "winner": winner, "already": details.submitted(winner)}
    return render(request, "reports/winner_details_form.html", context)


@role_required(Role.SECRETARIAT)
def winner_details_list(request):
    """Every verified winner, whether they have sent their details; the details themselves one
    winner at a time (each look logged)."""
    contest = _contest()
    if request.method == "POST":
        sent = 0
        for wp in details.winner_prizes(contest=contest):
            if wp.prize.details_at is None and details.winner_details_request(winner=wp, request=request):
                sent += 1
        messages.success(request, _("Đã gửi đường dẫn cho %(n)s người đạt giải chưa gửi thông tin.") % {"n": sent})
        return redirect("reports:winner_details")
    prizes = details.winner_prizes(contest=contest)
    missing = sum(1 for wp in prizes if wp.prize.details_at is None)
    return render(request, "reports/winner_details_list.html", {"prizes": prizes, "missing": missing})


@role_required(Role.SECRETARIAT)
def winner_details_show(request, part, pk):
    winner = details.winner_prize(part, pk)
    row = details.submitted(winner) if winner else None
    if row is None or not rules.can_see_winner_details(request.user):
        raise Http404
    plain = details.details_for_staff(details=[row], viewer=request.user, where="page")[row.pk]
    accesses = row.accesses.select_related("viewer")[:20]
    response = render(
        request, "reports/winner_details_show.html", {"winner": winner, "row": row, "plain": plain, "accesses": accesses}
    )
    patch_cache_control(response, private=True, no_store=True)
    return response


def my_results_blocks(*, contest, user) -> list[dict]:
    """The block on quiz's "Kết quả của tôi": the contestant's certificates and award forms."""
    if not user.is_authenticated:
        return []
    mine = certs.certificates_for_user(user=user, contest=contest)
    winners = details.winner_prizes_for_user(user=user, contest=contest)
    if not mine and not winners:
        return []
    forms = [(wp, details.details_url(wp), wp.prize.details_at is not None) for wp in winners]
    items = [(c, certs.certifies(c)) for c in mine]
    return [{"template": "reports/_my_results_block.html", "certificates": items, "award_forms": forms}]
