"""Turning text that users typed into safe HTML. Used by every app that shows rich text."""

import re

import markdown as md
import nh3
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

ALLOWED_TAGS = {
    "p", "br", "h2", "h3", "h4", "strong", "em", "b", "i", "u", "ul", "ol", "li", "blockquote",
    "a", "table", "thead", "tbody", "tr", "th", "td", "hr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}}


def sanitize_html(html: str) -> str:
    """Keep structure (paragraphs, headings, lists, links); drop scripts, styles, handlers."""
    return nh3.clean(
        html or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer nofollow",
    )


def render_markdown(text: str) -> str:
    return sanitize_html(md.markdown(text or "", extensions=["extra", "sane_lists"]))


# Direction overrides, embeddings, isolates and marks: refused on input (contests.cleaning), and
# kept out of workbooks made from older data so a name never shows reversed in Excel.
_EXCEL_DROP = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def excel_text(value) -> str:
    """A cell that Excel will never run as a formula, whatever the user typed, and that openpyxl
    always accepts: characters it refuses (control characters) are dropped rather than let one
    bad name fail the whole export."""
    text = "" if value is None else str(value)
    text = _EXCEL_DROP.sub("", ILLEGAL_CHARACTERS_RE.sub("", text))
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
