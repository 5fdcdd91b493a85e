"""The attempt's pages read the signed-in user from the cache (quiz.session_user), and never
trust it further than Django's own session check would."""

import pickle

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.urls import reverse

from accounts.enums import Role
from accounts.models import User
from quiz.services.attempts import attempt_start
from quiz.session_user import USER_TTL, _key
from tests.budgets import QUERIES
from tests.factories import contestant
from tests.quiz.factories import sealed_round

pytestmark = pytest.mark.django_db


def _signed_in_with_attempt(client):
    user = contestant()
    client.force_login(user)
    attempt = attempt_start(round=sealed_round(), user=user)
    page = reverse("quiz:attempt", args=[attempt.pk])
    assert client.get(page).status_code == 200  # reads the user row and keeps it
    assert client.get(page).status_code == 200  # and the roles with it
    return user, attempt, page


def test_the_attempt_page_reads_no_user_row_once_cached(client, django_assert_num_queries):
    user, attempt, page = _signed_in_with_attempt(client)
    assert cache.get(_key(user.pk)).pk == user.pk
    with django_assert_num_queries(QUERIES["attempt_page"]):
        assert client.get(page).status_code == 200


def test_the_cached_row_holds_no_password_hash(client):
    user, attempt, page = _signed_in_with_attempt(client)
    user.refresh_from_db()
    cached = cache.get(_key(user.pk))

    assert isinstance(cached, User) and cached.pk == user.pk
    assert "password" not in cached.__dict__ and cached._password is None
    stored = pickle.dumps(cached)  # what the cache keeps, in the form it keeps it
    assert user.password.encode() not in stored and user.password.split("$")[-1].encode() not in stored
    assert cached._session_auth_hash == user.get_session_auth_hash()  # the HMAC the session holds, no more
    assert client.get(page).status_code == 200  # which is enough to vouch for the session


def test_saving_the_cached_row_never_writes_an_empty_password(client):
    user, attempt, page = _signed_in_with_attempt(client)
    cached = cache.get(_key(user.pk))
    cached.full_name = "Nguyễn Văn Đổi"
    cached.save()

    user.refresh_from_db()
    assert user.check_password("DemoPass123!") and user.full_name == "Nguyễn Văn Đổi"
    assert cached.password == user.password  # read from the database when asked for


def test_a_password_changed_elsewhere_signs_the_old_session_out(client):
    user, attempt, page = _signed_in_with_attempt(client)
    user.set_password("AnotherPass456!")
    user.save()

    response = client.get(page)

    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_a_cached_row_that_does_not_match_the_session_is_read_again(client):
    user, attempt, page = _signed_in_with_attempt(client)
    stale = cache.get(_key(user.pk))
    user.set_password("AnotherPass456!")
    user.save()
    client.force_login(user)  # a session of the new password
    cache.set(_key(user.pk), stale, USER_TTL)  # and a row of the old one in the cache

    assert client.get(page).status_code == 200  # Django's own check, on the database row
    assert cache.get(_key(user.pk))._session_auth_hash == user.get_session_auth_hash()  # which replaces the stale one


def test_a_deactivated_contestant_is_refused(client):
    user, attempt, page = _signed_in_with_attempt(client)
    user.is_active = False
    user.save()

    response = client.get(page)

    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_a_cached_row_serves_only_its_owner(client):
    user, attempt, page = _signed_in_with_attempt(client)
    other = contestant()
    client.force_login(other)

    assert client.get(page).status_code == 404
    assert client.get(reverse("quiz:result", args=[attempt.pk])).status_code == 404


@pytest.mark.parametrize("change", ["user.groups.add", "group.user_set.add", "group.user_set.clear", "profile.save"])
def test_changes_to_groups_and_profile_drop_the_cached_row(client, change):
    user, attempt, page = _signed_in_with_attempt(client)
    group = Group.objects.get(name=Role.SECRETARIAT)
    if change == "group.user_set.clear":
        group.user_set.add(user)
        client.get(page)
        assert cache.get(_key(user.pk)) is not None and not isinstance(cache.get(_key(user.pk)), float)
    assert not isinstance(cache.get(_key(user.pk)), float)

    if change == "user.groups.add":
        user.groups.add(group)
    elif change == "group.user_set.add":
        group.user_set.add(user)
    elif change == "group.user_set.clear":
        group.user_set.clear()
    else:
        user.profile.save()

    assert isinstance(cache.get(_key(user.pk)), float)  # forgotten
    client.get(page)
    roles = cache.get(_key(user.pk))._role_cache
    assert (Role.SECRETARIAT in roles) == (change in ("user.groups.add", "group.user_set.add"))


def test_a_request_that_read_the_row_before_a_change_does_not_put_it_back(client, monkeypatch):
    user, attempt, page = _signed_in_with_attempt(client)
    cache.delete(_key(user.pk))
    from quiz import views

    real = views.selectors.get_attempt_for_contestant

    def change_midway(request_user, pk):
        attempt = real(request_user, pk)
        user.groups.add(Group.objects.get(name=Role.SECRETARIAT))  # another request, meanwhile
        return attempt

    monkeypatch.setattr(views.selectors, "get_attempt_for_contestant", change_midway)
    assert client.get(page).status_code == 200

    assert isinstance(cache.get(_key(user.pk)), float)  # the change wins; the next page reads it again


def test_logging_out_drops_the_cached_row(client):
    user, attempt, page = _signed_in_with_attempt(client)
    client.post(reverse("account_logout"))

    assert isinstance(cache.get(_key(user.pk)), float)
    response = client.get(page)
    assert response.status_code == 302


def test_the_round_page_reads_no_user_row_once_cached(client, django_assert_num_queries):
    user, attempt, page = _signed_in_with_attempt(client)
    url = reverse("quiz:round", args=[attempt.round_id])
    assert client.get(url).status_code == 200
    with django_assert_num_queries(QUERIES["round_page"]):
        assert client.get(url).status_code == 200
