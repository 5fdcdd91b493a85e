from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def seconds(milliseconds) -> str:
    """A duration in milliseconds as people say it: «24 giây», «1 phút 05 giây», «15 phút»."""
    if milliseconds is None or milliseconds == "":
        return "–"
    total = int(round(int(milliseconds) / 1000))
    minutes, secs = divmod(total, 60)
    if minutes and secs:
        return _("%(m)d phút %(s)02d giây") % {"m": minutes, "s": secs}
    if minutes:
        return _("%(m)d phút") % {"m": minutes}
    return _("%(s)d giây") % {"s": secs}


@register.filter
def letter(index) -> str:
    return "ABCDEF"[int(index)]


@register.filter
def percent(value) -> str:
    return f"{value * 100:.0f}%".replace(".", ",")


@register.filter
def percent_fine(value) -> str:
    """A participation rate, as every page and export writes it (contests.figures.rate_text):
    one decimal under 10 %, so one person of 305 shows as «0,3%», not «0%»."""
    from contests.figures import rate_text

    return rate_text(value)


@register.filter
def clock(milliseconds) -> str:
    """A duration for tables: «0:24», «1:27», «15:00»."""
    if milliseconds is None or milliseconds == "":
        return "–"
    minutes, secs = divmod(int(round(int(milliseconds) / 1000)), 60)
    return f"{minutes}:{secs:02d}"
