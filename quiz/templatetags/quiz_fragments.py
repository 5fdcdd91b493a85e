"""The attempt page's questions, rendered once per process and reused (docs/performance.md).

    {% load quiz_fragments %}
    {% for item in items %}{% question_fragment item %}…the question's markup…{% endquestion_fragment %}{% endfor %}

The body of the block is rendered with `item` only: its position, text, image, options (in the
attempt's shuffled order) and chosen answer. Texts come from a sealed pool and never change, so
what varies between attempts is the position (1…N), the option order and the answer. The
fragment is cached in memory by (language, text, options, answer, image) with the position left as a
marker, and the marker replaced by the position on the way out: one attempt's fifth question
and another's twelfth share the same fragment when they drew the same question in the same
option order. A page of 20 questions costs twenty dictionary look-ups instead of rendering
twenty fieldsets of eighty radio buttons.

The body must therefore depend on nothing but `item` (and the language): the tag renders it
in a context that holds only `item` (a body reaching for anything else finds it empty, as
`tests/quiz/test_fragments.py` shows), so nothing of one attempt or one person can be cached.
A process holds at most MAX_FRAGMENTS fragments (about 1 KB each).
"""

import itertools
import secrets
import threading
from collections import OrderedDict
from dataclasses import replace

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()

MAX_FRAGMENTS = 20_000
# A marker no question text can contain (it is drawn when the process starts, and the texts
# are written before): where the position goes.
_MARK = f"\ue000{secrets.token_hex(8)}\ue001"
_fragments: "OrderedDict[tuple, str]" = OrderedDict()
_lock = threading.Lock()
_node_ids = itertools.count()
stats = {"hits": 0, "misses": 0}


def clear() -> None:
    with _lock:
        _fragments.clear()
        _constants.clear()


class QuestionFragmentNode(template.Node):
    def __init__(self, item, nodelist):
        self.item = item
        self.nodelist = nodelist
        self.node_id = next(_node_ids)  # which block: a template parsed again is another one

    def render(self, context):
        item = self.item.resolve(context)
        key = (self.node_id, get_language(), item.text, tuple(item.options), item.chosen_index, item.image)
        with _lock:
            html = _fragments.get(key)
            if html is not None:
                _fragments.move_to_end(key)
        if html is None:
            stats["misses"] += 1
            # A fresh context (the same template, autoescaping and language) holding the item only.
            html = self.nodelist.render(context.new({"item": replace(item, position=_MARK)}))
            with _lock:
                _fragments[key] = html
                while len(_fragments) > MAX_FRAGMENTS:
                    _fragments.popitem(last=False)
        else:
            stats["hits"] += 1
        # The template's own output (escaped by it) with an integer put in: still safe.
        return mark_safe(html.replace(_MARK, str(int(item.position))))  # noqa: S308


@register.tag
def question_fragment(parser, token):
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("question_fragment takes one argument: the attempt's item")
    nodelist = parser.parse(("endquestion_fragment",))
    parser.delete_first_token()
    return QuestionFragmentNode(parser.compile_filter(bits[1]), nodelist)


class ConstantFragmentNode(template.Node):
    """A part of the page that is the same for everyone in a language (the script's messages,
    the legend): rendered once per process and language, in an empty context, so it can hold
    nothing of a request (a body reaching for a variable finds it empty)."""

    def __init__(self, nodelist):
        self.nodelist = nodelist
        self.node_id = next(_node_ids)

    def render(self, context):
        key = (self.node_id, get_language())
        with _lock:
            html = _constants.get(key)
        if html is None:
            html = self.nodelist.render(context.new())
            with _lock:
                _constants[key] = html
        return html


_constants: dict[tuple, str] = {}


@register.tag
def constant_fragment(parser, token):
    if len(token.split_contents()) != 1:
        raise template.TemplateSyntaxError("constant_fragment takes no argument")
    nodelist = parser.parse(("endconstant_fragment",))
    parser.delete_first_token()
    return ConstantFragmentNode(nodelist)
