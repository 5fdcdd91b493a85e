"""Sharing a published result: the owner shares or stops sharing from «Kết quả của tôi»; anyone
with the link reads /share/<token>/ (quiz.sharing decides what it shows)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contests.cards import card_png, card_response, share_links

from .errors import QuizError
from .forms import ShareForm
from .models import Round
from .services.sharing import result_share, result_share_revoke
from .sharing import shared_result


def share_page(request, token):
    """The public page of a shared result, with its Open Graph card. 404 for a token never made or
    revoked, and for a result no longer ranked."""
    shared = shared_result(token=token)
    if shared is None:
        raise Http404
    url = settings.SITE_URL + reverse("share", args=[shared.token])
    context = {
        "shared": shared,
        "mine": request.user.is_authenticated and request.user.pk == shared.user_id,
        "share_url": url,
        **share_links(url),
    }
    return render(request, "quiz/share.html", context)


def share_card(request, token):
    """The shared result's Open Graph picture: what the page shows, the score only where its
    owner chose to show it; 404 as the page once the share is revoked."""
    shared = shared_result(token=token)
    if shared is None:
        raise Http404
    lines = [shared.round_name]
    if shared.prize:
        lines.append(shared.prize)
    if shared.score is not None:
        lines.append(_("Điểm: %(score)s/%(n)s") % {"score": shared.score, "n": shared.questions})
    footer = urlsplit(settings.SITE_URL).netloc
    return card_response(card_png(kicker=shared.contest_name, title=shared.name, lines=lines, footer=footer))


@require_POST
@login_required
def share_create(request, pk):
    round = Round.objects.select_related("contest").filter(pk=pk).first()
    if round is None:
        raise Http404
    if not request.user.has_perm("quiz.share_result", round):
        raise PermissionDenied
    form = ShareForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Lựa chọn chia sẻ không hợp lệ; xin chọn lại."))
        return redirect("quiz:my_results")
    try:
        share = result_share(user=request.user, round=round, **form.cleaned_data)
    except QuizError as exc:
        messages.error(request, str(exc))
        return redirect("quiz:my_results")
    messages.success(request, _("Đã tạo trang chia sẻ kết quả. Anh/chị có thể dừng chia sẻ bất cứ lúc nào."))
    return redirect("share", token=share.token)


@require_POST
@login_required
def share_revoke(request, token):
    if not result_share_revoke(user=request.user, token=token):
        raise Http404  # not a share of theirs: nothing to tell about someone else's
    messages.success(request, _("Đã dừng chia sẻ: đường dẫn cũ không còn mở được."))
    return redirect("quiz:my_results")
