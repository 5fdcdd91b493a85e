"""The public pages of the results commitment (quiz.receipts holds the rules): the anonymized
results bundle of a published round, and the inclusion check of a receipt."""

from allauth.core.internal import ratelimit
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from . import receipts, selectors
from .models import RoundCommitment

# The check is cheap (a binary search, then the path: two hashes per level) and receipts are
# 256-bit, so guessing is hopeless; the limit only keeps one address from busying the server.
RATE_LIMITS = {"receipt_check": "30/m/ip"}


def results_bundle(request, pk):
    """results.zip: anyone, once the round's results are published (404 before)."""
    round = selectors.get_round_for_contestant(pk=pk)
    if round.results_published_at is None or not RoundCommitment.objects.filter(round_id=round.pk).exists():
        raise Http404
    response = HttpResponse(receipts.bundle_cached(round=round), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{receipts.bundle_filename(round)}"'
    return response


@never_cache
def receipt_check(request, pk):
    """/quiz/rounds/<id>/receipt/?receipt=<64 hex>: whether the receipt is a leaf of the round's
    committed tree, with its Merkle path (and `&download=1`: the proof as a JSON file). Nothing
    about the contestant is shown or needed."""
    round = selectors.get_round_for_contestant(pk=pk)
    commitment = RoundCommitment.objects.filter(round_id=round.pk).defer("leaves").first() if round.is_closed else None
    typed = (request.GET.get("receipt") or "")[:200]
    context = {"round": round, "commitment": commitment, "typed": typed, "proof": None, "error": "", "checked": False}
    if typed and commitment is not None:
        if not ratelimit.consume(request, action="receipt_check", config=RATE_LIMITS, limit_get=True):
            context["error"] = _("Anh/chị tra cứu quá nhiều lần; vui lòng thử lại sau một phút.")
            return render(request, "quiz/receipt_check.html", context, status=429)
        receipt = receipts.normalize_receipt(typed)
        if receipt is None:
            context["error"] = _("Biên nhận gồm đúng 64 chữ số hệ 16 (0–9, a–f); vui lòng kiểm tra lại.")
        else:
            commitment = RoundCommitment.objects.get(pk=commitment.pk)
            proof = receipts.inclusion_proof(commitment=commitment, receipt=receipt)
            if proof is not None and request.GET.get("download"):
                response = HttpResponse(receipts.proof_bytes(proof), content_type="application/json")
                response["Content-Disposition"] = f'attachment; filename="chung-minh-{round.pk}-{receipt[:16]}.json"'
                return response
            context.update(proof=proof, checked=True, receipt=receipt)
    return render(request, "quiz/receipt_check.html", context)
