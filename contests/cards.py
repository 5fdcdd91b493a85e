"""Sharing a page to Zalo and Facebook: the links to the networks' share pages and the picture a
network shows beside the link (its Open Graph card, og:image), a 1200×630 PNG drawn with the
embedded Noto Serif, so Vietnamese keeps its diacritics on any server.

One drawing for every shared page (a contestant's result, a certificate): the page decides what
the card may say (never a score its owner did not choose to show), `card_png` only draws it.
Drawn cards are kept in the cache under a digest of what they say, so a network's crawler
asking again costs a cache read."""

import hashlib
import io
from pathlib import Path
from urllib.parse import urlencode

from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import patch_cache_control

FONT_DIR = Path(__file__).resolve().parent / "fonts"
WIDTH, HEIGHT = 1200, 630
MARGIN = 72
BACKGROUND, INK, MUTED, ACCENT = "#fffdf7", "#1f2933", "#52606d", "#b91c1c"
CACHE_SECONDS = 24 * 3600
# A revoked share or certificate changes its card: a proxy keeps one five minutes at most.
CARD_MAX_AGE = 300
_fonts: dict[tuple[bool, int], object] = {}


def share_links(url: str) -> dict[str, str]:
    """Plain links to the networks' share pages for `url` (an absolute address): no third-party
    script on our pages, so the strict CSP holds."""
    return {
        "zalo_url": "https://sp.zalo.me/share_inline?" + urlencode({"url": url}),
        "facebook_url": "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": url}),
    }


def card_response(png: bytes) -> HttpResponse:
    response = HttpResponse(png, content_type="image/png")
    patch_cache_control(response, public=True, max_age=CARD_MAX_AGE)
    return response


def _font(size: int, *, bold: bool = False):
    from PIL import ImageFont

    key = (bold, size)
    if key not in _fonts:
        _fonts[key] = ImageFont.truetype(str(FONT_DIR / ("NotoSerif-Bold.ttf" if bold else "NotoSerif-Regular.ttf")), size)
    return _fonts[key]


def _wrap(draw, text: str, font, width: int, max_lines: int) -> list[str]:
    """The text in lines no wider than `width`, at most `max_lines`, the last one ending in «…»
    when the text is longer."""
    words, lines, line = text.split(), [], ""
    for word in words:
        candidate = f"{line} {word}".strip()
        if draw.textlength(candidate, font=font) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = word
        while draw.textlength(line, font=font) > width:  # one word wider than the card
            cut = len(line)
            while cut > 1 and draw.textlength(line[:cut] + "…", font=font) > width:
                cut -= 1
            lines.append(line[:cut] + "…")
            line = ""
    if line:
        lines.append(line)
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        while last and draw.textlength(last + " …", font=font) > width:
            last = last[:-1]
        lines = lines[: max_lines - 1] + [last.rstrip() + " …"]
    return lines


def card_png(*, kicker: str, title: str, lines: list[str], footer: str) -> bytes:
    """The card: a small line above (the contest), a title (the person), up to three lines of
    what is shared (round, prize, score), a footer (where it can be checked)."""
    text = "\x1f".join([kicker, title, *lines, footer])
    key = "share-card:" + hashlib.sha256(text.encode()).hexdigest()
    png = cache.get(key)
    if png is None:
        png = _draw(kicker=kicker, title=title, lines=lines, footer=footer)
        cache.set(key, png, CACHE_SECONDS)
    return png


def _draw(*, kicker: str, title: str, lines: list[str], footer: str) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image)
    width = WIDTH - 2 * MARGIN
    draw.rectangle([0, 0, WIDTH, 14], fill=ACCENT)
    y = MARGIN - 10
    for line in _wrap(draw, kicker, _font(30), width, 2):
        draw.text((MARGIN, y), line, font=_font(30), fill=MUTED)
        y += 42
    y += 18
    for line in _wrap(draw, title, _font(64, bold=True), width, 2):
        draw.text((MARGIN, y), line, font=_font(64, bold=True), fill=INK)
        y += 80
    y += 14
    for text in lines[:3]:
        for line in _wrap(draw, text, _font(38), width, 2):
            if y > HEIGHT - MARGIN - 90:
                break
            draw.text((MARGIN, y), line, font=_font(38), fill=INK)
            y += 52
    draw.line([MARGIN, HEIGHT - MARGIN - 34, WIDTH - MARGIN, HEIGHT - MARGIN - 34], fill=MUTED, width=2)
    for line in _wrap(draw, footer, _font(26), width, 1):
        draw.text((MARGIN, HEIGHT - MARGIN - 16), line, font=_font(26), fill=MUTED)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
