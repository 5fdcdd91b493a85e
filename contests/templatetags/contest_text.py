from django import template
from django.utils.safestring import mark_safe

from contests.text import render_markdown, sanitize_html

register = template.Library()


@register.filter
def markdown(value):
    """Markdown → sanitized HTML."""
    return mark_safe(render_markdown(value))  # noqa: S308 - sanitized by nh3


@register.filter
def safe_html(value):
    """User-supplied HTML → sanitized HTML."""
    return mark_safe(sanitize_html(value))  # noqa: S308 - sanitized by nh3


@register.simple_tag
def contest_url(name, contest, *args):
    """The URL `name` about `contest`: the plain contract URL for the current contest, with
    `?contest=<slug>` for any other (docs/decisions.md), so a chosen contest stays chosen."""
    from urllib.parse import urlencode

    from django.urls import reverse

    from contests.selectors import CONTEST_PARAM

    url = reverse(name, args=args)
    if contest is not None and not getattr(contest, "is_current", False):
        url += "?" + urlencode({CONTEST_PARAM: contest.slug})
    return url


@register.inclusion_tag("contests/_chooser.html", takes_context=True)
def contest_chooser(context, contest, drafts=False):
    """A plain GET form choosing the contest a page is about (works without JavaScript)."""
    from contests.selectors import CONTEST_PARAM, contest_choices

    request = context.get("request")
    return {
        "contest": contest,
        "choices": contest_choices(drafts=drafts),
        "param": CONTEST_PARAM,
        "action": request.path if request is not None else "",
    }
