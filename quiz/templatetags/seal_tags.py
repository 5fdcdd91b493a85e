from django import template

from ..receipts import commitment_info
from ..seal import seal_info_for_page

register = template.Library()


@register.simple_tag(takes_context=True)
def round_seal(context, round):
    """`{% round_seal round as seal %}`: the fingerprint block's data for this user, or None
    before the round opens (quiz.seal.seal_info_for_page)."""
    request = context.get("request")
    return seal_info_for_page(round=round, user=getattr(request, "user", None))


@register.simple_tag
def round_commitment(round):
    """`{% round_commitment round as commitment %}`: the «Mã kết quả» block's data, or None
    before the close (quiz.receipts.commitment_info)."""
    return commitment_info(round=round)
