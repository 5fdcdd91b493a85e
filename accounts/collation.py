"""Vietnamese alphabetical order for names: a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y,
tones compared only when the letters are equal (as dictionaries and name lists do)."""

import unicodedata

_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_RANK = {ch: i for i, ch in enumerate(_ALPHABET)}
# Marks that make a letter of its own (breve, circumflex, horn); the others are tones.
_LETTER_MARKS = {"\u0306": "ă", "\u0302": "â", "\u031b": "ơ"}
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


def vi_sort_key(text: str) -> tuple:
    letters, tones = [], []
    for ch in unicodedata.normalize("NFD", (text or "").lower().replace("ð", "đ")):
        if ch in _TONES:
            tones[-1] = _TONES[ch] if tones else 0
            continue
        if ch in _LETTER_MARKS:
            base = letters.pop() if letters else ""
            combined = {"a\u0306": "ă", "a\u0302": "â", "e\u0302": "ê", "o\u0302": "ô", "o\u031b": "ơ", "u\u031b": "ư"}.get(
                base + ch, base
            )
            letters.append(combined)
            continue
        if unicodedata.combining(ch):
            continue
        letters.append(ch)
        tones.append(0)
    primary = tuple(_RANK.get(ch, 100 + ord(ch)) for ch in letters)
    return primary, tuple(tones)


def vi_name_key(full_name: str) -> tuple:
    """How Vietnamese lists of people are ordered: by the given name (the last word: «Bình» of
    «Nguyễn Văn Bình»), then by the whole name from the family name, in `vi_sort_key`'s order."""
    words = (full_name or "").split()
    return vi_sort_key(words[-1] if words else ""), vi_sort_key(" ".join(words))
