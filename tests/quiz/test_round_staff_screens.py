"""The organizer's round screens: «Duyệt và niêm phong» from the pool page (the changelist's
action, so the same confirmation page and round_approve), and the contest shown in the round list."""

import pytest
from django.urls import reverse

from accounts.enums import Role
from quiz.models import Round
from quiz.services.pool import round_pool_add
from tests.factories import ContestFactory, staff_user
from tests.quiz.factories import QuestionFactory, RoundFactory, sealed_round

pytestmark = pytest.mark.django_db


def _ready_round(**kwargs) -> Round:
    round = RoundFactory(**kwargs)
    round_pool_add(round=round, question_ids=[q.pk for q in QuestionFactory.create_batch(20)])
    return round


def test_the_pool_page_seals_through_the_confirmation_page(client):
    round = _ready_round()
    client.force_login(staff_user(Role.ORGANIZER))
    page = client.get(reverse("admin:quiz_round_pool", args=[round.pk])).content.decode()
    assert "data-seal-from-pool" in page and 'value="approve_and_seal"' in page

    confirmation = client.post(
        reverse("admin:quiz_round_changelist"), {"action": "approve_and_seal", "index": "0", "_selected_action": round.pk}
    )

    assert confirmation.status_code == 200
    assert "admin/quiz/round/seal_confirmation.html" in [t.name for t in confirmation.templates]
    assert not Round.objects.get(pk=round.pk).is_sealed  # only on confirm
    sealed = client.post(
        reverse("admin:quiz_round_changelist"),
        {"action": "approve_and_seal", "index": "0", "_selected_action": round.pk, "post": "yes"},
    )
    assert sealed.status_code == 302
    assert Round.objects.get(pk=round.pk).is_sealed


def test_the_pool_page_offers_no_seal_button_with_problems_sealed_or_without_the_permission(client):
    not_ready = RoundFactory()
    ready = _ready_round()
    done = sealed_round()
    client.force_login(staff_user(Role.ORGANIZER))
    page = client.get(reverse("admin:quiz_round_pool", args=[not_ready.pk])).content.decode()
    assert "data-seal-from-pool" in page and 'value="approve_and_seal"' not in page
    page = client.get(reverse("admin:quiz_round_pool", args=[done.pk])).content.decode()
    assert "data-seal-from-pool" not in page

    client.force_login(staff_user(Role.SECRETARIAT))
    response = client.get(reverse("admin:quiz_round_pool", args=[ready.pk]))
    assert "data-seal-from-pool" not in response.content.decode()


def test_the_round_list_names_each_rounds_contest(client):
    first, second = ContestFactory(name="Cuộc thi năm 2025"), ContestFactory(name="Cuộc thi <năm> 2026")
    RoundFactory(contest=first, name="Tuần thi thứ nhất")
    RoundFactory(contest=second, name="Tuần thi thứ nhất")
    client.force_login(staff_user(Role.ORGANIZER))

    page = client.get(reverse("admin:quiz_round_changelist")).content.decode()

    assert "Cuộc thi năm 2025" in page
    assert "Cuộc thi &lt;năm&gt; 2026" in page
