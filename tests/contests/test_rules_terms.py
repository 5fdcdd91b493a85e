"""The rules page shows the essay phases' word range and dates from their configuration (the
figures the site enforces), not a second copy typed into the rules text."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.essays.factories import EssayPhaseFactory
from tests.factories import ContestFactory

pytestmark = pytest.mark.django_db


def test_rules_page_shows_each_phase_word_range_and_dates(client):
    contest = ContestFactory(rules="## Phần thi viết\n- Viết về người thật, việc thật.")
    opens = timezone.make_aware(datetime.datetime(2026, 9, 25, 9, 0))
    EssayPhaseFactory(contest=contest, name="Giai đoạn nhận bài", opens_at=opens,
                      closes_at=opens + datetime.timedelta(days=100), min_words=1500, max_words=3000)  # fmt: skip

    html = client.get(reverse("contests:rules", args=[contest.slug])).content.decode()

    terms = html[html.index("data-essay-terms") :]
    assert "bài dài từ 1.500 đến 3.000 chữ" in terms
    assert "nhận bài từ 09:00 25/09/2026 đến 09:00 03/01/2027" in terms


def test_a_changed_range_shows_at_once(client):
    contest = ContestFactory()
    phase = EssayPhaseFactory(contest=contest, min_words=300, max_words=2500)

    html = client.get(reverse("contests:rules", args=[contest.slug])).content.decode()
    assert "từ 300 đến 2.500 chữ" in html
    phase.min_words = 800
    phase.save()
    assert "từ 800 đến 2.500 chữ" in client.get(reverse("contests:rules", args=[contest.slug])).content.decode()


def test_rules_page_without_essay_phase_has_no_terms(client):
    contest = ContestFactory()
    assert "data-essay-terms" not in client.get(reverse("contests:rules", args=[contest.slug])).content.decode()
