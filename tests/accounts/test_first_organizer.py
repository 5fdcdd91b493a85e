import pytest
from django.core.management import CommandError, call_command

from accounts.enums import Role
from accounts.models import User
from accounts.roles import has_role


@pytest.mark.django_db
def test_first_organizer_is_created_once(capsys, monkeypatch):
    monkeypatch.delenv("FIRST_ORGANIZER_PASSWORD", raising=False)
    call_command("create_first_organizer", "--email", "Ban.ToChuc@TinhUy.vn")
    out = capsys.readouterr().out
    user = User.objects.get(email="ban.tochuc@tinhuy.vn")
    assert user.is_superuser and user.is_staff and has_role(user, Role.ORGANIZER)
    password = out.rsplit(": ", 1)[1].strip()
    assert user.check_password(password)

    call_command("create_first_organizer", "--email", "ban.tochuc@tinhuy.vn")
    assert "nothing changed" in capsys.readouterr().out
    assert User.objects.filter(email="ban.tochuc@tinhuy.vn").count() == 1
    assert User.objects.get(pk=user.pk).check_password(password)


@pytest.mark.django_db
def test_password_from_the_environment_is_not_printed(capsys, monkeypatch):
    monkeypatch.setenv("FIRST_ORGANIZER_PASSWORD", "Một mật khẩu dài 2026!")
    call_command("create_first_organizer", "--email", "btc@tinhuy.vn")
    assert "Một mật khẩu" not in capsys.readouterr().out
    assert User.objects.get(email="btc@tinhuy.vn").check_password("Một mật khẩu dài 2026!")


@pytest.mark.django_db
def test_a_bad_address_is_refused():
    with pytest.raises(CommandError):
        call_command("create_first_organizer", "--email", "not an address")
