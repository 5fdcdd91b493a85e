"""Sharing a published result and revoking it (quiz.sharing holds the rule and the page)."""

import secrets

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from quiz.errors import QuizError
from quiz.models import ResultShare, Round
from quiz.sharing import shareable_entry

TOKEN_BYTES = 16  # 128 random bits: a guess never lands on someone's share


@transaction.atomic
def result_share(*, user, round: Round, name_shown: str, show_score: bool) -> ResultShare:
    """Share (or change how one shares) the contestant's own published result of a weekly round.
    A share already there keeps its token, so links already sent keep working."""
    if shareable_entry(user=user, round=round) is None:
        raise QuizError(_("Chỉ chia sẻ được kết quả của chính mình ở tuần thi đã công bố kết quả."))
    share = ResultShare.objects.select_for_update().filter(user=user, round=round).first()
    if share is None:
        try:
            with transaction.atomic():
                return ResultShare.objects.create(
                    user=user, round=round, name_shown=name_shown, show_score=show_score,
                    token=secrets.token_urlsafe(TOKEN_BYTES),
                )  # fmt: skip
        except IntegrityError:  # the same person sharing twice at once: the other request won
            share = ResultShare.objects.select_for_update().get(user=user, round=round)
    share.name_shown, share.show_score = name_shown, show_score
    share.save(update_fields=["name_shown", "show_score"])
    return share


@transaction.atomic
def result_share_revoke(*, user, token: str) -> bool:
    """Stop sharing: the row goes, the link is dead for good. Only the owner's own share; whether
    there was one."""
    deleted, _counts = ResultShare.objects.filter(user=user, token=token).delete()
    return bool(deleted)
