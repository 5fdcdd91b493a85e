"""Every staff page refuses anonymous users and contestants. The test walks the URL conf, so a
view added later without a role guard under a staff prefix fails here."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.enums import Role
from accounts.roles import ROLE_PERMISSIONS, has_role
from tests.factories import UserFactory, contestant

pytestmark = pytest.mark.django_db

STAFF_PREFIXES = ("reports/", "judging/", "essays/manage/", "quiz/manage/", "judging/manage/")


def _walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


def _concrete(route: str) -> str:
    route = re.sub(r"<int:\w+>", "1", route)
    route = re.sub(r"<(?:slug|str|uuid|path):?\w*>", "x", route)
    return "/" + route.lstrip("^").rstrip("$")


def _required_roles(callback):
    """The roles a view asks for; a view guarded by a model permission (contests.copy_views, below
    the roles' layer) names its permission instead."""
    return (
        getattr(callback, "required_roles", None)
        or getattr(getattr(callback, "view_class", None), "required_roles", None)
        or ((callback.required_permission,) if getattr(callback, "required_permission", None) else None)
    )


def staff_routes():
    routes = []
    for route, callback in _walk(get_resolver().url_patterns):
        if route.startswith("admin/"):
            continue
        if _required_roles(callback) or route.startswith(STAFF_PREFIXES):
            routes.append((route, callback))
    return routes


def test_every_url_under_a_staff_prefix_is_role_guarded():
    unguarded = [route for route, callback in staff_routes() if not _required_roles(callback)]
    assert unguarded == []


@pytest.mark.parametrize("method", ["get", "post"])
def test_staff_urls_send_anonymous_users_to_login(client, method):
    for route, _callback in staff_routes():
        response = getattr(client, method)(_concrete(route))
        assert response.status_code == 302, route
        assert response["Location"].startswith("/accounts/login/"), route


@pytest.mark.parametrize("method", ["get", "post"])
def test_staff_urls_refuse_contestants(client, method):
    client.force_login(contestant())
    for route, callback in staff_routes():
        if Role.CONTESTANT in _required_roles(callback):
            continue
        response = getattr(client, method)(_concrete(route))
        assert response.status_code == 403, route


@pytest.mark.parametrize("path", ["/admin/", "/admin/accounts/user/", "/admin/accounts/organization/import/"])
def test_admin_refuses_contestants_and_anonymous(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    client.force_login(contestant())
    response = client.get(path)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_role_groups_exist_with_their_permissions():
    from django.contrib.auth.models import Group

    organizer = Group.objects.get(name=Role.ORGANIZER)
    assert set(Group.objects.values_list("name", flat=True)) >= set(Role.values)
    codenames = set(organizer.permissions.values_list("codename", flat=True))
    assert {"add_contest", "change_organization", "view_profile"} <= codenames
    assert "delete_user" not in codenames
    assert ROLE_PERMISSIONS[Role.JUDGE] == {}


def test_has_role_counts_superusers_as_organizers():
    boss = UserFactory(is_superuser=True)
    judge = UserFactory(roles=[Role.JUDGE])
    assert has_role(boss, Role.ORGANIZER)
    assert has_role(judge, Role.JUDGE)
    assert not has_role(judge, Role.ORGANIZER)


def test_is_organizer_is_one_predicate_for_every_caller():
    """The organizers' decisions (seals, answer keys, the bank's answers, publishing essays) ask
    accounts.roles.is_organizer, wherever they are taken: admin, services, the seal's download."""
    from django.contrib.auth.models import AnonymousUser

    from accounts.roles import is_organizer
    from tests.factories import staff_user

    assert is_organizer(staff_user(Role.ORGANIZER))
    assert is_organizer(UserFactory(is_superuser=True))
    for nobody in (None, AnonymousUser(), contestant(), staff_user(Role.SECRETARIAT), staff_user(Role.JUDGE)):
        assert not is_organizer(nobody)
