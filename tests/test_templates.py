"""Numbers are shown the Vietnamese way (9.020) because USE_THOUSAND_SEPARATOR is on; an id or a
key inside an HTML attribute must never be: `value="1.234"` posts a different id, `name="c1.234"`
is a field the view never reads. Such values go through `unlocalize` (or are built by a tag that
does not localize, like {% url %})."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# {{ something.pk }}, {{ x.id }}, {{ x.user_id }}, {{ x.number }} … inside an attribute value.
ATTRIBUTE_ID = re.compile(
    r'[a-z-]+="[^"]*\{\{\s*[\w.]*(?<!auto)(?<!attrs)(?:\.pk|\.id|_id|\.number)\s*(?:\|(?!unlocalize)[\w:"]+)*\s*\}\}[^"]*"'
)


def test_ids_inside_attributes_are_never_localized():
    wrong = []
    for path in sorted(ROOT.glob("*/templates/**/*.html")) + sorted(ROOT.glob("templates/**/*.html")):
        if ".venv" in path.parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            wrong += [f"{path.relative_to(ROOT)}:{number}: {m}" for m in ATTRIBUTE_ID.findall(line)]
    assert wrong == []


def test_an_id_renders_without_a_thousands_separator(settings):
    from django.template import Context, Template

    settings.USE_THOUSAND_SEPARATOR = True
    html = Template('{% load l10n %}<input value="{{ n|unlocalize }}"> {{ n }}').render(Context({"n": 1234}))
    assert html == '<input value="1234"> 1.234'
