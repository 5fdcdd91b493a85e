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
