from django import template

from ..seal import seal_info_for_page

register = template.Library()


@register.simple_tag(takes_context=True)
def round_seal(context, round):
    """`{% round_seal round as seal %}`: the fingerprint block's data for this user, or None
    before the round opens (quiz.seal.seal_info_for_page)."""
    request = context.get("request")
    return seal_info_for_page(round=round, user=getattr(request, "user", None))
