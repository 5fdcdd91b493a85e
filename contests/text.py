"""Turning text that users typed into safe HTML. Used by every app that shows rich text."""

import hashlib
import html
import re
from dataclasses import dataclass

import nh3
from django.core.cache import cache
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


# The Markdown this site speaks (the help texts of the rules and the essay body say so):
# headings (#, ##, ###), paragraphs, "- " and "1. " lists, "> " quotes, "---", **bold**, *italic*
# and [links](https://…). A small renderer instead of full Markdown: each line is looked at once
# and every inline pattern is bounded, so the cost is linear in the length of the text — full
# Markdown took 33 s on 224 KB of links (docs/performance.md).
_HEADING = re.compile(r"(#{1,6})[ \t]+(.*?)[ \t#]*")
_BULLET = re.compile(r"[-*+][ \t]+(.*)")
_NUMBERED = re.compile(r"\d{1,9}[.)][ \t]+(.*)")
_QUOTE = re.compile(r">[ \t]?(.*)")
_RULE = re.compile(r"([-*_])(?:[ \t]*\1){2,}[ \t]*")
# Inline patterns run on HTML-escaped text. Each character class excludes its own delimiters
# and has a length cap, so no position is scanned more than a bounded number of times.
_LINK = re.compile(r"\[([^\[\]\n]{1,500})\]\(([^()\[\]\s]{1,2000})\)")
_BOLD = re.compile(r"\*\*([^*\n]{1,2000})\*\*")
_ITALIC = re.compile(r"\*([^*\n]{1,2000})\*")
_CACHE_VERSION = 1


def _inline(text: str) -> str:
    text = html.escape(text, quote=True)
    text = _LINK.sub(r'<a href="\2">\1</a>', text)
    text = _BOLD.sub(r"<strong>\1</strong>", text)
    return _ITALIC.sub(r"<em>\1</em>", text)


@dataclass(frozen=True)
class Block:
    """One block of the site's Markdown, its text still raw (not escaped): a paragraph or a
    quote (its lines), a list (its items), a heading (its text, its level 2–4) or a rule."""

    kind: str  # "p", "quote", "ul", "ol", "h", "hr"
    lines: tuple[str, ...] = ()
    level: int = 0


def markdown_blocks(text: str) -> list[Block]:
    """The block structure of the site's Markdown: the one parser behind the HTML pages and the
    DOCX book (contests.docx_party), so both read a text the same way."""
    out: list[Block] = []
    paragraph: list[str] = []
    items: list[list[str]] = []  # each item: its lines
    list_tag = ""
    quote: list[str] = []

    def flush() -> None:
        nonlocal list_tag
        if paragraph:
            out.append(Block("p", tuple(paragraph)))
            paragraph.clear()
        if items:
            out.append(Block(list_tag, tuple(" ".join(item) for item in items)))
            items.clear()
            list_tag = ""
        if quote:
            out.append(Block("quote", tuple(quote)))
            quote.clear()

    for raw in text.split("\n"):
        line = raw.strip()
        if not line:
            flush()
            continue
        if match := _HEADING.fullmatch(line):
            flush()
            level = min(max(len(match.group(1)), 2), 4)  # the page has the only <h1>
            out.append(Block("h", (match.group(2),), level))
        elif _RULE.fullmatch(line):
            flush()
            out.append(Block("hr"))
        elif (match := _BULLET.fullmatch(line)) or (match := _NUMBERED.fullmatch(line)):
            tag = "ul" if match.re is _BULLET else "ol"
            if list_tag != tag or paragraph or quote:
                flush()
            list_tag = tag
            items.append([match.group(1)])
        elif match := _QUOTE.fullmatch(line):
            if not quote:
                flush()
            quote.append(match.group(1))
        elif items:
            items[-1].append(line)  # a wrapped list item
        elif quote:
            quote.append(line)
        else:
            paragraph.append(line)
    flush()
    return out


def _html(block: Block) -> str:
    if block.kind == "p":
        return "<p>" + "\n".join(_inline(line) for line in block.lines) + "</p>"
    if block.kind in ("ul", "ol"):
        return f"<{block.kind}>" + "".join(f"<li>{_inline(item)}</li>" for item in block.lines) + f"</{block.kind}>"
    if block.kind == "quote":
        return "<blockquote><p>" + "\n".join(_inline(line) for line in block.lines) + "</p></blockquote>"
    if block.kind == "h":
        return f"<h{block.level}>{_inline(block.lines[0])}</h{block.level}>"
    return "<hr>"


_SPAN = re.compile(rf"{_LINK.pattern}|{_BOLD.pattern}|{_ITALIC.pattern}")


def inline_spans(text: str) -> list[tuple[str, bool, bool]]:
    """A line of the site's Markdown as (text, bold, italic) spans, for documents that are not
    HTML: the same patterns as the pages; a link keeps its words."""
    spans: list[tuple[str, bool, bool]] = []
    position = 0
    for match in _SPAN.finditer(text):
        if match.start() > position:
            spans.append((text[position : match.start()], False, False))
        link, _href, bold, italic = match.groups()
        if link is not None:
            spans.append((link, False, False))
        elif bold is not None:
            spans.append((bold, True, False))
        else:
            spans.append((italic, False, True))
        position = match.end()
    if position < len(text):
        spans.append((text[position:], False, False))
    return spans


def markdown_plain(text: str) -> str:
    """User text with any raw HTML taken out (tags go, script and style with their content, the
    words stay), as the pages do before reading the Markdown: for DOCX and other non-HTML
    documents."""
    return html.unescape(nh3.clean(text or "", tags=set()))


def render_markdown(text: str) -> str:
    """The site's Markdown (see above) → sanitized HTML; cached by the text's hash."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        return ""
    key = f"md:{_CACHE_VERSION}:{hashlib.sha256(text.encode()).hexdigest()}"
    rendered = cache.get(key)
    if rendered is None:
        # Raw HTML is not part of this Markdown: tags go (script and style with their content)
        # and their text stays, as it did when full Markdown passed HTML through to nh3.
        text = markdown_plain(text)
        rendered = sanitize_html("\n".join(_html(block) for block in markdown_blocks(text)))
        cache.set(key, rendered, 60 * 60 * 24)
    return rendered


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


# What XML 1.0 refuses (C0 controls but tab and line feed, surrogates, U+FFFE/U+FFFF) and what
# has no business in a printed document (DEL, C1 controls, direction overrides and marks).
_DOCX_DROP = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\ud800-\udfff\ufffe\uffff]")


def docx_text(value) -> str:
    """Text for one run of a DOCX document (python-docx escapes XML itself, so markup stays
    text): characters Word cannot hold are dropped rather than let one bad name fail the whole
    document; tabs and line breaks become spaces (layout is the document's, not the user's)."""
    text = "" if value is None else str(value)
    return _DOCX_DROP.sub("", text).replace("\t", " ").replace("\r", " ").replace("\n", " ")
