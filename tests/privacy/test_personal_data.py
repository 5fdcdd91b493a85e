"""Anonymizing people (winners among them) changes no result: verify_results still passes, every
figure adds up, and the append-only decision log shows pseudonyms without being rewritten."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from accounts import privacy
from accounts.enums import Role
from accounts.models import User
from audit.verification import verify_results
from contests.models import Decision
from essays.models import EssayPrize
from quiz.models import Prize
from reports import selectors
from tests.audit.test_verify_results import built  # noqa: F401  (the fixture)
from tests.factories import staff_user

pytestmark = pytest.mark.django_db


def _figures(contest):
    return selectors.weekly_table(contest=contest), selectors.unit_table(contest=contest)


def test_verify_results_passes_after_anonymizing_winners(built):  # noqa: F811
    contest, round, people, judge, final = built
    quiz_winner = Prize.objects.filter(round=round).order_by("rank").first().user
    essay_winner = EssayPrize.objects.order_by("rank").first().essay.submitter
    before = _figures(contest)
    prizes_before = list(Prize.objects.order_by("pk").values_list("user", "tier", "rank", "status"))

    for person in {quiz_winner, essay_winner, people[3], judge}:
        privacy.person_anonymize(user=person, by=staff_user(Role.SECRETARIAT), reason="Yêu cầu của người dùng")

    assert verify_results(contest_slug=contest.slug).messages() == []
    call_command("verify_results", "--contest", contest.slug)
    assert _figures(contest) == before
    assert list(Prize.objects.order_by("pk").values_list("user", "tier", "rank", "status")) == prizes_before
    assert User.objects.get(pk=quiz_winner.pk).full_name == f"Người dùng đã xoá #{quiz_winner.pk}"


def test_verify_results_passes_after_anonymizing_part_of_a_simulated_contest():
    call_command("simulate_contest", "--scale", "0.01", "--seed", "7")
    winners = set(Prize.objects.values_list("user", flat=True)[:3])
    essay_winners = set(EssayPrize.objects.values_list("essay__submitter", flat=True)[:2])
    others = set(User.objects.filter(attempts__isnull=False).exclude(pk__in=winners).values_list("pk", flat=True)[:5])

    for user in User.objects.filter(pk__in=winners | essay_winners | others):
        privacy.person_anonymize(user=user)

    report = verify_results()
    assert report.messages() == []
    assert User.objects.filter(anonymized_at__isnull=False).count() == len(winners | essay_winners | others)


def test_the_decision_log_shows_the_pseudonym_and_is_not_rewritten(built, client):  # noqa: F811
    contest, round, *_ = built
    prize = Prize.objects.filter(round=round).order_by("rank").first()
    winner = prize.user
    name = winner.full_name
    rows_before = list(Decision.objects.order_by("pk").values())
    secretary = staff_user(Role.SECRETARIAT)

    privacy.person_anonymize(user=winner, by=secretary)

    # The log's rows are as they were; one more line says who anonymized whom.
    assert list(Decision.objects.order_by("pk").values())[: len(rows_before)] == rows_before
    assert Decision.objects.count() == len(rows_before) + 1
    assert any(name in d["object_repr"] for d in rows_before)
    client.force_login(secretary)
    page = client.get(reverse("reports:decisions")).content.decode()
    assert name not in page
    assert f"Người dùng đã xoá #{winner.pk}" in page
    # Searching the old name finds nothing (the search reads the shown labels).
    assert "Chưa có quyết định nào." in client.get(reverse("reports:decisions"), {"q": name}).content.decode()
    workbook = load_workbook(io.BytesIO(client.get(reverse("reports:decisions_export")).content))
    cells = [str(c.value) for row in workbook.active.iter_rows() for c in row if c.value is not None]
    assert not any(name in c for c in cells)


@pytest.mark.postgres
def test_on_postgresql_anonymizing_keeps_the_log_append_only_and_results_verified(built):  # noqa: F811
    from django.db import DatabaseError, connection, transaction

    contest, round, people, *_ = built
    privacy.person_anonymize(user=people[0])

    assert verify_results(contest_slug=contest.slug).messages() == []
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE contests_decision SET object_repr = 'x'")
