import pytest
from django.core.management import call_command

from accounts.models import User
from quiz.models import Round
from tests.factories import published_notice

pytestmark = pytest.mark.django_db


def test_prepare_loadtest_makes_an_open_round_and_contestants_idempotently(capsys):
    call_command("prepare_loadtest", "--users", "5")
    call_command("prepare_loadtest", "--users", "5")

    round_id = int(capsys.readouterr().out.split()[-1])
    round = Round.objects.get(pk=round_id)
    assert round.is_open and round.pool.count() == 40
    users = User.objects.filter(email__startswith="load")
    assert users.count() == 5
    assert all(u.check_password("DemoPass123!") and u.profile for u in users)


def test_the_load_contestants_have_accepted_the_notice_in_force(client):
    from accounts import privacy

    published_notice()  # published with the site (a migration), so every contestant is asked
    call_command("prepare_loadtest", "--users", "3")
    text = privacy.consent_text_current()
    assert text is not None
    users = list(User.objects.filter(email__startswith="load"))
    assert all(u.consents.filter(text=text).exists() for u in users)

    client.force_login(users[0])
    response = client.post(f"/quiz/rounds/{Round.objects.get(name='Tuần thi tải thử').pk}/start/")
    assert "/quiz/attempts/" in response["Location"]  # not the consent page
