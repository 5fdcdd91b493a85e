"""No role climbs in the admin: only superusers manage staff accounts, roles, permissions and
passwords; organizers correct a contestant's name and active flag, nothing more."""

import pytest
from django.contrib.auth.models import Group, Permission

from accounts.enums import Role
from accounts.models import User
from tests.factories import UserFactory, contestant, staff_user

pytestmark = pytest.mark.django_db


def _user_form(user, **changes):
    return {"email": user.email, "full_name": user.full_name, "is_active": "on"} | changes


def test_organizer_edits_a_contestant_name_and_active_flag_but_no_right(client, organizer):
    player = contestant()
    email = player.email
    client.force_login(organizer)
    organizer_group = Group.objects.get(name=Role.ORGANIZER)
    forged = _user_form(
        player,
        full_name="Trần Thị Bình",
        email="attacker@example.com",
        is_active="",
        is_staff="on",
        is_superuser="on",
        groups=[organizer_group.pk],
        user_permissions=[Permission.objects.get(codename="change_group").pk],
    )

    response = client.post(f"/admin/accounts/user/{player.pk}/change/", forged)

    assert response.status_code == 302
    player.refresh_from_db()
    assert (player.full_name, player.is_active) == ("Trần Thị Bình", False)
    assert (player.is_staff, player.is_superuser, player.email) == (False, False, email)
    assert list(player.groups.values_list("name", flat=True)) == [Role.CONTESTANT]
    assert not player.user_permissions.exists()


def test_organizer_cannot_promote_themselves(client, organizer):
    client.force_login(organizer)
    response = client.post(f"/admin/accounts/user/{organizer.pk}/change/", _user_form(organizer, is_superuser="on"))
    assert response.status_code == 403
    organizer.refresh_from_db()
    assert not organizer.is_superuser


@pytest.mark.parametrize("target_kind", ["superuser", "organizer", "secretariat", "judge"])
def test_organizer_cannot_touch_a_privileged_account(client, organizer, target_kind):
    target = UserFactory(is_staff=True, is_superuser=True) if target_kind == "superuser" else staff_user(target_kind)
    password = target.password
    client.force_login(organizer)

    page = client.get(f"/admin/accounts/user/{target.pk}/change/")
    change = client.post(f"/admin/accounts/user/{target.pk}/change/", _user_form(target, full_name="Đổi tên"))
    password_page = client.get(f"/admin/accounts/user/{target.pk}/password/")
    password_post = client.post(
        f"/admin/accounts/user/{target.pk}/password/", {"password1": "NewPass123!x", "password2": "NewPass123!x"}
    )
    delete = client.post(f"/admin/accounts/user/{target.pk}/delete/", {"post": "yes"})

    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert (change.status_code, password_page.status_code, password_post.status_code, delete.status_code) == (403,) * 4
    target.refresh_from_db()
    assert (target.full_name != "Đổi tên", target.password) == (True, password)
    assert User.objects.filter(pk=target.pk).exists()


def test_organizer_cannot_set_a_contestant_password_add_users_or_open_roles(client, organizer):
    player = contestant()
    client.force_login(organizer)
    assert client.get(f"/admin/accounts/user/{player.pk}/password/").status_code == 403
    assert client.get("/admin/accounts/user/add/").status_code == 403
    assert client.get("/admin/auth/group/").status_code == 403
    group = Group.objects.get(name=Role.ORGANIZER)
    assert client.post(f"/admin/auth/group/{group.pk}/change/", {"name": "x"}).status_code == 403
    assert client.get("/admin/account/emailaddress/").status_code == 403
    assert "/admin/auth/group/" not in client.get("/admin/").content.decode()


def test_superuser_manages_roles_and_staff(client):
    boss = UserFactory(is_staff=True, is_superuser=True)
    player = contestant()
    client.force_login(boss)
    data = _user_form(player, is_staff="on", groups=[Group.objects.get(name=Role.SECRETARIAT).pk])
    data |= {"last_login_0": "", "last_login_1": "", "date_joined_0": "01/01/2026", "date_joined_1": "08:00:00"}

    response = client.post(f"/admin/accounts/user/{player.pk}/change/", data)

    assert response.status_code == 302
    player.refresh_from_db()
    assert player.is_staff
    assert set(player.groups.values_list("name", flat=True)) == {Role.SECRETARIAT}
    assert client.get(f"/admin/accounts/user/{player.pk}/password/").status_code == 200
    assert client.get("/admin/auth/group/").status_code == 200


def test_secretariat_has_only_view_permissions():
    from accounts.roles import ROLE_PERMISSIONS

    secretariat = Group.objects.get(name=Role.SECRETARIAT)
    codenames = set(secretariat.permissions.values_list("codename", flat=True))
    assert codenames
    assert {c.split("_", 1)[0] for c in codenames} == {"view"}
    assert all(actions == ("view",) for actions in ROLE_PERMISSIONS[Role.SECRETARIAT].values())
