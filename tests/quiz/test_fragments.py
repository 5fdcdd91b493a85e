"""The attempt page's questions come from a per-process fragment cache
(quiz/templatetags/quiz_fragments.py): the page must be byte for byte what rendering each
question gives, whatever position, option order, answer or text."""

import re

import pytest
from django.template import engines
from django.urls import reverse
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from quiz.selectors import AttemptItem
from quiz.services.attempts import attempt_save_answers, attempt_start
from quiz.templatetags import quiz_fragments
from tests.factories import contestant
from tests.quiz.factories import sealed_round

BODY = (
    '<fieldset id="q-{{ item.position }}"><legend>{% blocktranslate trimmed with n=item.position %}Câu {{ n }}'
    "{% endblocktranslate %}. {{ item.text }}</legend>{% for option in item.options %}"
    '<input name="q{{ item.position }}" value="{{ forloop.counter0 }}"{% if item.chosen_index == forloop.counter0 %}'
    " checked{% endif %}> {{ option }}{% endfor %}{{ secret }}</fieldset>"
)
CACHED = engines["django"].from_string(
    "{% load i18n quiz_fragments %}{% for item in items %}{% question_fragment item %}" + BODY
    + "{% endquestion_fragment %}{% endfor %}"
)  # fmt: skip
DIRECT = engines["django"].from_string("{% load i18n %}{% for item in items %}" + BODY + "{% endfor %}")

texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
items = st.lists(
    st.builds(
        AttemptItem,
        position=st.integers(1, 200),
        text=st.sampled_from(["Thủ đô của Việt Nam?", "<b>1 & 2</b>", "Câu 1"]) | texts,
        options=st.lists(st.sampled_from(["Hà Nội", "Huế", '"<script>"', "A"]) | texts, min_size=2, max_size=5),
        chosen_index=st.none() | st.integers(0, 4),
    ),
    max_size=6,
)


@settings(max_examples=200, deadline=None)
@given(items=items, language=st.sampled_from(["vi", "en"]))
def test_a_cached_question_renders_as_the_question_itself(items, language):
    with translation.override(language):
        once = CACHED.render({"items": items, "secret": "x"})
        again = CACHED.render({"items": items, "secret": "x"})  # now every fragment is a hit
        direct = DIRECT.render({"items": items, "secret": ""})
    assert once == again == direct


def test_the_body_sees_only_the_item():
    item = AttemptItem(position=3, text="Q", options=["a", "b"], chosen_index=1)
    html = CACHED.render({"items": [item], "secret": "another contestant's name"})
    assert "another contestant" not in html and 'id="q-3"' in html and 'value="1" checked' in html


@pytest.mark.django_db
def test_two_attempts_pages_are_what_an_empty_cache_renders(client):
    round = sealed_round(pool_size=20, fields=2)  # both attempts draw every question, shuffled
    quiz_fragments.clear()
    pages = []
    for _ in range(2):
        user = contestant()
        client.force_login(user)
        attempt = attempt_start(round=round, user=user)
        attempt_save_answers(attempt_id=attempt.pk, user_id=user.pk, answers={2: 1, 5: 0})
        url = reverse("quiz:attempt", args=[attempt.pk])
        first = client.get(url).content.decode()  # the second attempt's may reuse the first's fragments
        hits = quiz_fragments.stats["hits"]
        again = client.get(url).content.decode()  # every question from the cache
        assert quiz_fragments.stats["hits"] - hits == 20
        quiz_fragments.clear()
        cold = client.get(url).content.decode()
        pages.append(cold)
        strip = re.compile(r'(data-autosave-token|data-server-now|csrfmiddlewaretoken" value)="[^"]*"')
        assert strip.sub("", cold) == strip.sub("", first) == strip.sub("", again)
        assert re.search(r'name="q2" value="1" checked', cold) and re.search(r'name="q5" value="0" checked', cold)
        assert cold.count(" checked") == 2
    assert pages[0] != pages[1]


CONSTANT = engines["django"].from_string(
    '{% load i18n quiz_fragments %}<p>{{ name }}</p>{% constant_fragment %}<i data-m="{% translate "Nộp bài" %}">'
    "{{ name }}</i>{% endconstant_fragment %}"
)


def test_a_constant_fragment_is_per_language_and_sees_nothing_of_the_request():
    quiz_fragments.clear()
    with translation.override("vi"):
        first = CONSTANT.render({"name": "Nguyễn Văn A"})
        second = CONSTANT.render({"name": "Trần Thị B"})
    with translation.override("en"):
        english = CONSTANT.render({"name": "Trần Thị B"})

    assert first == '<p>Nguyễn Văn A</p><i data-m="Nộp bài"></i>'
    assert second == '<p>Trần Thị B</p><i data-m="Nộp bài"></i>'
    assert english == '<p>Trần Thị B</p><i data-m="Submit"></i>'
