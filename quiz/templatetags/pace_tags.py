from dataclasses import dataclass

from django import template
from django.utils import timezone

from .. import limits
from ..selectors import start_allowance

register = template.Library()


@dataclass(frozen=True)
class PaceInfo:
    allowed: bool
    left_today: int | None
    message: str  # why not now and when, in the words attempt_start would refuse with


@register.simple_tag(takes_context=True)
def round_allowance(context, round, attempts):
    """`{% round_allowance round attempts as pace %}`: for a signed-in contestant in an open round,
    what the round's limits leave them (quiz.selectors.start_allowance); None otherwise."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not round.is_open or not limits.has_limits(round):
        return None
    now = timezone.now()
    allowance = start_allowance(round=round, attempts=attempts, now=now)
    message = "" if allowance.allowed else limits.refusal_message(round, allowance, now=now)
    return PaceInfo(allowed=allowance.allowed, left_today=allowance.left_today, message=message)
