"""Every staff page asks a named permission and refuses anonymous users and contestants. The test
walks the URL conf, so a view added later without a permission under a staff prefix fails here;
the policy itself (every named permission × every role) is one table, below."""

import re

import pytest
import rules
from django.contrib.auth.models import AnonymousUser
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.enums import Role
from accounts.roles import ROLE_PERMISSIONS, has_role
from tests.factories import UserFactory, contestant, staff_user

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


def _required_permission(callback):
    """The named permission a view asks (contests.permissions.permission_required; a class-based
    view: Django's PermissionRequiredMixin's `permission_required`)."""
    return getattr(callback, "required_permission", None) or getattr(
        getattr(callback, "view_class", None), "permission_required", None
    )


def staff_routes():
    routes = []
    for route, callback in _walk(get_resolver().url_patterns):
        if route.startswith("admin/"):
            continue
        if _required_permission(callback) or route.startswith(STAFF_PREFIXES):
            routes.append((route, callback))
    return routes


def test_every_url_under_a_staff_prefix_asks_a_named_permission():
    unguarded = [route for route, callback in staff_routes() if not _required_permission(callback)]
    assert unguarded == []
    unknown = {_required_permission(c) for _r, c in staff_routes()} - set(POLICY) - OBJECT_PERMISSIONS
    assert unknown == set()


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
        if POLICY[_required_permission(callback)][CONTESTANT]:
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
    accounts.rules.is_organizer, wherever they are taken: admin, services, the seal's download."""
    from django.contrib.auth.models import AnonymousUser

    from accounts.rules import is_organizer
    from tests.factories import staff_user

    assert is_organizer(staff_user(Role.ORGANIZER))
    assert is_organizer(UserFactory(is_superuser=True))
    for nobody in (None, AnonymousUser(), contestant(), staff_user(Role.SECRETARIAT), staff_user(Role.JUDGE)):
        assert not is_organizer(nobody)


# --- The policy in one table ------------------------------------------------------------------------
# Every named permission that is decided by role alone, and who holds it. A new permission, or a
# changed predicate, changes this table or fails the test below. "admin" is a superuser (Django
# grants a superuser every permission).
ADMIN, ORGANIZER, SECRETARIAT, JUDGE, UNIT_OFFICER, CONTESTANT, ANONYMOUS = range(7)
WHO = ("admin", "organizer", "secretariat", "judge", "unit officer", "contestant", "anonymous")
OFFICE = (1, 1, 1, 0, 0, 0, 0)
ORGANIZERS = (1, 1, 0, 0, 0, 0, 0)
SECRETARIATS = (1, 0, 1, 0, 0, 0, 0)
JUDGES = (1, 0, 0, 1, 0, 0, 0)
UNITS = (1, 1, 1, 0, 1, 0, 0)
POLICY = {
    "accounts.manage_members": UNITS,
    "accounts.remove_unit_officer": ORGANIZERS,
    "contests.copy_contest": ORGANIZERS,
    "quiz.manage_round": OFFICE,
    "quiz.run_round": ORGANIZERS,
    "quiz.view_live_ranking": OFFICE,
    "quiz.see_answers": ORGANIZERS,
    "quiz.seal_round": ORGANIZERS,
    "quiz.correct_key": ORGANIZERS,
    "quiz.download_answer_key": ORGANIZERS,
    "essays.screen": OFFICE,
    "essays.export_essays": OFFICE,
    "essays.publish_essay": ORGANIZERS,
    "essays.amend_rubric": ORGANIZERS,
    "essays.judge": JUDGES,
    "essays.manage_judging": OFFICE,
    "essays.run_judging": ORGANIZERS,
    "essays.reopen_sheet": ORGANIZERS,
    "essays.undo_conflict": ORGANIZERS,
    "essays.manage_votes": OFFICE,
    "essays.draft_vote_prize": ORGANIZERS,
    "reports.view_dashboard": OFFICE,
    "reports.download_report": OFFICE,
    "reports.run_export": OFFICE,
    "reports.view_units": UNITS,
    "audit.view_decisions": OFFICE,
    "audit.view_integrity": OFFICE,
    "audit.decide_integrity": SECRETARIATS,
    "audit.view_appeals": OFFICE,
    "audit.decide_appeal": OFFICE,
    "privacy.handle_deletion": OFFICE,
    "awards.view_winners": OFFICE,
    "awards.verify_prize": SECRETARIATS,
    "awards.amend_prize": SECRETARIATS,
    "awards.view_certificates": OFFICE,
    "awards.see_winner_details": SECRETARIATS,
    "awards.change_winner_details": SECRETARIATS,
    "awards.prepare_award": SECRETARIATS,
    "awards.edit_prize_plan": ORGANIZERS,
}
# Decided on an object (whose attempt, essay, file, sheet, job, certificate; which round, image):
# their predicates are tested with their objects in each app's tests.
OBJECT_PERMISSIONS = {
    "quiz.take_attempt",
    "quiz.review_attempt",
    "quiz.download_seal",
    "quiz.see_image",
    "quiz.share_result",
    "essays.read_essay",
    "essays.see_authors",
    "essays.see_contacts",
    "essays.download_file",
    "essays.score_sheet",
    "reports.download_export",
    "awards.download_certificate",
    "audit.download_appeal_file",
}


def _people():
    return (
        UserFactory(is_superuser=True, is_staff=True),
        staff_user(Role.ORGANIZER),
        staff_user(Role.SECRETARIAT),
        staff_user(Role.JUDGE),
        UserFactory(roles=[Role.UNIT_OFFICER]),
        contestant(),
        AnonymousUser(),
    )


def test_every_named_permission_is_in_the_policy_table():
    assert set(rules.permissions.permissions) == set(POLICY) | OBJECT_PERMISSIONS
    assert not set(POLICY) & OBJECT_PERMISSIONS


def test_the_policy_table_holds_for_every_role():
    people = _people()
    wrong = [
        (perm, WHO[i], bool(expected[i]))
        for perm, expected in POLICY.items()
        for i, person in enumerate(people)
        if person.has_perm(perm) != bool(expected[i])
    ]
    assert wrong == []


def test_a_named_permission_is_never_granted_by_a_model_permission():
    """The admin's model permissions (accounts.roles.ROLE_PERMISSIONS) and the named ones are apart:
    a group holding a model permission of the same name still gets no for a named one."""
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    from quiz.models import Round

    judge = staff_user(Role.JUDGE)
    fake = Permission.objects.create(codename="run_round", name="x", content_type=ContentType.objects.get_for_model(Round))
    judge.user_permissions.add(fake)
    judge = type(judge).objects.get(pk=judge.pk)
    assert judge.has_perm("quiz.view_round") is False
    assert judge.has_perm("quiz.run_round") is False
