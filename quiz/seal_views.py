"""The seal's pages (quiz.seal holds the rule): the key file download — public once the results
are published, organizers only before — and each erratum's key file (quiz.errata) by the same
rule, the page that explains how to check a fingerprint, and
the organizers' Excel copy of a sealed round's key."""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control

from contests.downloads import download
from contests.permissions import permission_required

from . import selectors
from .errata import erratum_filename
from .excel import write_workbook
from .models import Round, RoundErratum, RoundSeal
from .rules import can_download_seal
from .seal import is_seal_public, seal_filename


def key_file_response(*, round: Round, seal: RoundSeal) -> HttpResponse:
    """The stored bytes, exactly: `sha256sum` of the saved file is the fingerprint."""
    response = HttpResponse(bytes(seal.key_file), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{seal_filename(round, round.contest.slug)}"'
    if not is_seal_public(round):
        patch_cache_control(response, private=True, no_store=True)
    return response


def round_key_file_response(*, round: Round) -> HttpResponse | None:
    """The round's key file as a download, or None when the round has no seal. The caller has
    checked who asks (can_download_seal; the admin's own permissions)."""
    seal = RoundSeal.objects.filter(round=round).first()
    return None if seal is None else key_file_response(round=round, seal=seal)


def seal_download(request, pk):
    round = selectors.get_round_for_contestant(pk=pk)
    if not can_download_seal(request.user, round):
        raise Http404
    response = round_key_file_response(round=round)
    if response is None:
        raise Http404
    return response


def erratum_download(request, pk, seq):
    """An erratum's key file, the stored bytes exactly: the same rule as the seal's (public with
    the results, the organizers before), and the old key files stay downloadable beside it."""
    round = selectors.get_round_for_contestant(pk=pk)
    if not can_download_seal(request.user, round):
        raise Http404
    erratum = RoundErratum.objects.filter(round=round, seq=seq).only("key_file").first()
    if erratum is None:
        raise Http404
    response = HttpResponse(bytes(erratum.key_file), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{erratum_filename(round, round.contest.slug, seq)}"'
    if not is_seal_public(round):
        patch_cache_control(response, private=True, no_store=True)
    return response


def seal_help(request):
    return render(request, "quiz/seal_help.html")


@permission_required("quiz.download_answer_key")
def answer_key_xlsx(request, pk):
    """A convenience for printing: the sealed pool as the question workbook. The official key is
    the key file."""
    round = Round.objects.select_related("contest").filter(pk=pk, approved_at__isnull=False).first()
    if round is None:
        raise Http404
    name = seal_filename(round, round.contest.slug).removesuffix(".json") + ".xlsx"
    return download(name, lambda buffer: write_workbook(buffer, round=round))
