"""Certificates (public verification, the owner's download, the secretariat's bulk issue) and
winners' details (the winner's form, the secretariat's list and look-up)."""

import contextlib
import datetime

from allauth.core.internal import ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from contests.cards import card_png, card_response, share_links
from contests.permissions import permission_required
from contests.selectors import current_contest
from reports.models import ExportJob

from . import certificates as certs
from . import rules, services
from . import winner_details as details
from .forms import WinnerDetailsChangeForm, WinnerDetailsForm
from .models import Certificate


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
        return render(request, "awards/verify_limited.html", status=429)
    cert = certs.certificate_by_code(certs.normalize_code(code))
    if cert is None:
        _limited(request, "certificate_verify_miss")
        return render(request, "awards/verify_unknown.html", {"code": code[:40]}, status=404)
    if cert.code != code:  # typed with a dash, in lower case…: one address per certificate
        return redirect("certs:verify", code=cert.code)
    url = certs.verify_url(cert.code, request)
    return render(
        request,
        "awards/verify.html",
        {"cert": cert, "certifies": certs.certifies(cert), "code": certs.display_code(cert.code), "verify_url": url},
    )


def verify_card(request, code):
    """The certificate's Open Graph picture, for a holder who shares the verification page: the
    contest, the holder's name and what is certified (never a score), or that it was revoked.
    Limited and counted as the page is, so it cannot be used to guess codes instead."""
    if _limited(request, "certificate_verify_miss", dry_run=True) or _limited(request, "certificate_verify"):
        return HttpResponse(status=429)
    cert = certs.certificate_by_code(code)
    if cert is None or cert.code != code:
        _limited(request, "certificate_verify_miss")
        raise Http404
    said = certs.certifies(cert) if cert.valid else _("Giấy chứng nhận đã bị thu hồi.")
    footer = _("Xác minh: %(url)s") % {"url": certs.verify_url(cert.code, request).split("://", 1)[-1]}
    png = card_png(
        kicker=cert.contest.name,
        title=cert.holder_name,
        lines=[pgettext("one certificate", "Giấy chứng nhận"), said],
        footer=footer,
    )
    return card_response(png)


def verify_form(request):
    """/verify/?code=… — for a code read off the paper."""
    raw = request.GET.get("code", "")
    if raw:
        code = certs.normalize_code(raw)
        return redirect("certs:verify", code=code or raw[:40])
    return render(request, "awards/verify_form.html")


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


@permission_required("awards.view_certificates")
def certificates_overview(request):
    contest = _contest()
    if request.method == "POST":
        job = services.certificates_request(contest=contest, user=request.user)
        return redirect("reports:certificates_job", pk=job.pk)
    counts = {row["kind"]: row["n"] for row in Certificate.objects.filter(contest=contest).values("kind").annotate(n=Count("pk"))}
    kinds = [(label, counts.get(kind, 0)) for kind, label in Certificate.Kind.choices]
    last_job = ExportJob.objects.filter(contest=contest, kind=services.CERTIFICATES).first()
    return render(request, "awards/certificates.html", {"contest": contest, "kinds": kinds, "last_job": last_job})


@permission_required("awards.view_certificates")
def certificates_job(request, pk):
    job = get_object_or_404(ExportJob, pk=pk, kind=services.CERTIFICATES)
    return render(request, "awards/certificates_job.html", {"job": job})


# --- winners' details -----------------------------------------------------------------------


def _closed(request, winner, message, *, status=200):
    return render(request, "awards/winner_details_closed.html", {"winner": winner, "message": message}, status=status)


@never_cache
@login_required
def winner_details_form(request, part, pk):
    """The winner's form: the signed-in holder of the prize only (anyone else: 404, which does
    not tell whether the prize exists), while a request is open, once. Afterwards the holder
    sees what was sent, masked."""
    winner = details.winner_prize_for_holder(request.user, part, pk)
    if winner is None:
        raise Http404
    row = details.submitted(winner)
    if row is not None:
        if request.method == "POST":
            messages.error(request, details.form_closed_reason(winner))
        response = render(
            request, "awards/winner_details_sent.html", {"winner": winner, "row": row, "masked": details.masked(row)},
            status=409 if request.method == "POST" else 200,
        )  # fmt: skip
        patch_cache_control(response, private=True, no_store=True)
        return response
    reason = details.form_closed_reason(winner)
    if reason:
        return _closed(request, winner, reason, status=409 if request.method == "POST" else 200)
    form = WinnerDetailsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            details.winner_details_submit(winner=winner, data=form.cleaned_data, by=request.user)
        except details.WinnerDetailsClosed as exc:
            return _closed(request, winner, exc.message, status=409)
        messages.success(request, _("Đã nhận thông tin nhận giải. Cảm ơn anh/chị!"))
        return redirect("certs:winner_details", part=part, pk=pk)
    context = {"form": form, "winner": winner, "expires_at": winner.prize.requested_until}
    return render(request, "awards/winner_details_form.html", context)


@never_cache
def winner_details_legacy(request, token):
    """A link of the old kind (a signed token in the address, e-mailed before the form moved):
    only a redirect to the form's own address, where login and the holder check apply. The token
    opens nothing by itself."""
    target = details.legacy_token_target(token)
    if target is None:
        return redirect("quiz:my_results")
    return redirect("certs:winner_details", part=target[0], pk=target[1])


@permission_required("awards.see_winner_details")
def winner_details_list(request):
    """Every verified winner, whether they have sent their details or have an open request; the
    details themselves one winner at a time (each look logged)."""
    contest = _contest()
    if request.method == "POST":
        try:
            sent = details.winner_details_request_missing(contest=contest, by=request.user)
        except details.WinnerDetailsClosed as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                ngettext(
                    "Đã gửi yêu cầu cho %(n)s người đạt giải chưa gửi thông tin.",
                    "Đã gửi yêu cầu cho %(n)s người đạt giải chưa gửi thông tin.",
                    sent,
                )
                % {"n": sent},
            )
        return redirect("reports:winner_details")
    prizes = details.winner_prizes(contest=contest)
    now = timezone.now()
    rows = [(wp, details.request_open(wp, now=now)) for wp in prizes]
    missing = sum(1 for wp in prizes if wp.prize.details_at is None)
    context = {"rows": rows, "missing": missing, "days": settings.WINNER_DETAILS_LINK_DAYS}
    return render(request, "awards/winner_details_list.html", context)


@permission_required("awards.change_winner_details")
@require_POST
def winner_details_reissue(request, part, pk):
    """«Gửi lại yêu cầu»: a new request to one winner (the old one expired, or was lost)."""
    winner = details.winner_prize(part, pk)
    if winner is None:
        raise Http404
    try:
        req = details.winner_details_request(winner=winner, by=request.user)
    except details.WinnerDetailsClosed as exc:
        messages.error(request, exc.message)
    else:
        until = timezone.localtime(req.expires_at).strftime("%H:%M %d/%m/%Y")
        text = _("Đã gửi lại yêu cầu cho %(name)s, hiệu lực đến %(until)s.")
        messages.success(request, text % {"name": winner.user.full_name, "until": until})
    return redirect("reports:winner_details")


def _staff_winner(request, part, pk):
    winner = details.winner_prize(part, pk)
    row = details.submitted(winner) if winner else None
    if row is None or not rules.can_see_winner_details(request.user):
        raise Http404
    return winner, row


@permission_required("awards.see_winner_details")
def winner_details_show(request, part, pk):
    winner, row = _staff_winner(request, part, pk)
    plain = details.details_for_staff(details=[row], viewer=request.user, where="page")[row.pk]
    accesses = row.accesses.select_related("viewer")[:20]
    context = {"winner": winner, "row": row, "plain": plain, "accesses": accesses, "requests": details.requests_for(winner)}
    response = render(request, "awards/winner_details_show.html", context)
    patch_cache_control(response, private=True, no_store=True)
    return response


@permission_required("awards.change_winner_details")
def winner_details_change(request, part, pk):
    """The secretariat's correction, with a reason (a decision); the winner is told."""
    winner, row = _staff_winner(request, part, pk)
    if request.method == "POST":
        form = WinnerDetailsChangeForm(request.POST)
        if form.is_valid():
            try:
                details.winner_details_change(
                    winner=winner, data=form.cleaned_data, by=request.user, reason=form.cleaned_data["reason"]
                )
            except details.WinnerDetailsClosed as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Đã sửa thông tin nhận giải và báo cho người đạt giải."))
                return redirect("reports:winner_details_show", part=part, pk=pk)
    else:
        plain = details.details_for_staff(details=[row], viewer=request.user, where="change")[row.pk]
        form = WinnerDetailsChangeForm(initial=_form_initial(plain))
    response = render(request, "awards/winner_details_change.html", {"winner": winner, "form": form})
    patch_cache_control(response, private=True, no_store=True)
    return response


def _form_initial(plain: dict) -> dict:
    initial = dict(plain)
    with contextlib.suppress(ValueError):
        initial["birth_date"] = datetime.date.fromisoformat(plain.get("birth_date", "")).strftime("%d/%m/%Y")
    return initial


def my_results_blocks(*, contest, user) -> list[dict]:
    """The block on quiz's "Kết quả của tôi": the contestant's certificates and award forms."""
    if not user.is_authenticated:
        return []
    mine = certs.certificates_for_user(user=user, contest=contest)
    winners = details.winner_prizes_for_user(user=user, contest=contest)
    if not mine and not winners:
        return []
    now = timezone.now()
    forms = [(wp, details.details_path(wp), wp.prize.details_at is not None, details.request_open(wp, now=now)) for wp in winners]
    items = [(c, certs.certifies(c), share_links(certs.verify_url(c.code))) for c in mine]
    return [{"template": "awards/_my_results_block.html", "certificates": items, "award_forms": forms}]
