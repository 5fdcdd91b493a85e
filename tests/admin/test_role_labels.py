"""Roles are groups whose names are keys used in code ("contestant", "judge"); wherever the admin
shows a group, it reads as the role's Vietnamese label."""

import re

import pytest
from django.contrib.auth.models import Group
from hypothesis import given
from hypothesis import strategies as st

from accounts.enums import Role
from accounts.roles import role_label
from tests.factories import UserFactory, contestant

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def _options(html: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return [label.strip() for label in re.findall(r"<option[^>]*>([^<]*)</option>", select)]


def test_user_list_filters_by_role_labels_and_keeps_the_group_key(superuser):
    judge = Group.objects.get(name=Role.JUDGE)
    html = superuser.get("/admin/accounts/user/").content.decode()
    assert f'href="?groups__id__exact={judge.pk}"' in html
    links = re.findall(r'href="\?groups__id__exact=\d+"[^>]*>([^<]*)</a>', html)
    assert sorted(label.strip() for label in links) == sorted(str(label) for label in Role.labels)
    assert not set(Role.values) & {label.strip() for label in links}
    assert "Theo vai trò" in html
    assert "Không có vai trò" in html


def test_the_role_filter_still_filters(superuser):
    player = contestant()
    staff = UserFactory(email="bgk@example.com")
    staff.groups.add(Group.objects.get(name=Role.JUDGE))
    judge = Group.objects.get(name=Role.JUDGE)
    html = superuser.get(f"/admin/accounts/user/?groups__id__exact={judge.pk}").content.decode()
    assert "bgk@example.com" in html
    assert player.email not in html


def test_user_change_form_names_the_groups_by_role(superuser):
    user = contestant()
    html = superuser.get(f"/admin/accounts/user/{user.pk}/change/").content.decode()
    assert sorted(_options(html, "groups")) == sorted(str(label) for label in Role.labels)


def test_group_list_shows_the_role_label_beside_the_key(superuser):
    html = superuser.get("/admin/auth/group/").content.decode()
    assert "Ban Giám khảo" in html
    assert ">judge<" in html


def test_saving_a_user_with_a_role_still_stores_the_group(superuser):
    user = contestant()
    judge = Group.objects.get(name=Role.JUDGE)
    form = superuser.get(f"/admin/accounts/user/{user.pk}/change/").context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k not in {"groups", "user_permissions"}}
    data.update({"groups": [judge.pk], "date_joined_0": "01/01/2026", "date_joined_1": "08:00:00", "is_active": "on"})
    data.pop("last_login", None)
    data.pop("date_joined", None)
    data.pop("is_staff", None)
    data.pop("is_superuser", None)
    response = superuser.post(f"/admin/accounts/user/{user.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert list(user.groups.values_list("name", flat=True)) == [Role.JUDGE]


@given(st.text(max_size=30).filter(lambda name: name not in Role.values))
def test_a_group_that_is_not_a_role_keeps_its_name(name):
    assert role_label(name) == name


def test_every_role_reads_as_its_label():
    assert {role_label(role.value) for role in Role} == {role.label for role in Role}
