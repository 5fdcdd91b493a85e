"""The essay form carries its phase's word range for the live word count (static/js/site.js)."""

import pytest
from django.urls import reverse

from tests.essays.factories import EssayPhaseFactory
from tests.factories import contestant

pytestmark = pytest.mark.django_db


def test_the_essay_form_has_a_word_counter_with_the_phase_range(client):
    EssayPhaseFactory(min_words=1500, max_words=3000)
    client.force_login(contestant())

    html = client.get(reverse("essays:new")).content.decode()

    assert 'data-word-count="id_body" data-min="1500" data-max="3000"' in html
    assert "{n} chữ — cần ít nhất {min} chữ (tối đa {max})." in html
