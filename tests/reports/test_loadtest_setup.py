import pytest
from django.core.management import call_command

from accounts.models import User
from quiz.models import Round

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
