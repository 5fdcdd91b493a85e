"""The signed-in contestant for the attempt's pages (start, attempt page, submit, result), read
from the cache instead of the database (docs/performance.md, "The Monday-morning rush").

Every page of an attempt loads the session (a cache read, SESSION_ENGINE cached_db) and then
the user row and the user's roles (two database reads). During a contest the same few thousand
people ask for these pages over and over, and their rows do not change, so `cached_user` keeps
the User (with the roles and the profile the pages looked up on it) in the cache for USER_TTL
seconds, keyed by its id. A page that finds nothing in the cache costs what it did before.

Nothing is trusted that Django's own `django.contrib.auth.get_user` would refuse:
- the session must name the user and an authentication backend that is still configured;
- the session's auth hash must match the cached user's (`get_session_auth_hash`, derived from
  the password hash): a password change elsewhere, or a session of a former password, is sent
  to Django's own check, which flushes it. The cache holds that HMAC only, never the password
  hash itself (`_cacheable`);
- an inactive user is sent to Django's own check as well (which refuses it).
The cached row is dropped whenever the user, their profile or their groups change (a save, a
password change, a login, a logout, a group added or removed, a deletion), in every process,
because every process shares the cache. A bulk `QuerySet.update` sends no signal: such a change
is seen after USER_TTL at the latest.
"""

import copy
import time
from functools import wraps

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, user_logged_in, user_logged_out
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject

from accounts.models import Profile, User

# Long enough that a contestant's whole attempt is served from one read (the start, the page,
# the submit, the result), short enough to bound a change made without a signal.
USER_TTL = 120


def _key(user_id) -> str:
    return f"quiz:session-user:{user_id}"


def forget(user_id) -> None:
    """Drop the cached row of a user (after any change to it, its profile or its groups). What
    is left is the moment it was forgotten, so that a request that read the row before the
    change cannot put the old row back when it ends."""
    if user_id is not None:
        cache.set(_key(user_id), time.time(), USER_TTL)


def _gathered(user) -> tuple[bool, bool]:
    """What a request has looked up on the user and kept on the instance: roles, profile."""
    return getattr(user, "_role_cache", None) is not None, "profile" in user._state.fields_cache


def _cacheable(user):
    """A copy of the user to keep in the cache, without its password hash: the `password` field
    is left deferred (read from the database if anything asks for it, and never written back
    by a save of this copy) and only the session auth hash is kept, the HMAC of it that the
    session already holds, which is all `cached_user` compares."""
    if "password" not in user.__dict__:
        return user  # read from the cache: already without it
    clone = copy.copy(user)
    clone._session_auth_hash = user.get_session_auth_hash()
    del clone.__dict__["password"]
    clone._password = None  # a raw password set on this instance and not yet saved
    return clone


def _store(user, read_at: float) -> None:
    current = cache.get(_key(user.pk))
    if isinstance(current, float) and current >= read_at:
        return  # changed since this request read it: the next request reads it again
    cache.set(_key(user.pk), _cacheable(user), USER_TTL)


def cached_user(request):
    """request.user, from the cache when the session still vouches for the cached row."""
    session = request.session
    try:
        user_id = session[SESSION_KEY]
        backend = session[BACKEND_SESSION_KEY]
    except KeyError:
        return AnonymousUser()
    if backend not in settings.AUTHENTICATION_BACKENDS:
        return auth.get_user(request)
    read_at = time.time()
    user = cache.get(_key(user_id))
    session_hash = session.get(HASH_SESSION_KEY)
    if (
        not isinstance(user, User)
        or str(user.pk) != str(user_id)
        or not user.is_active
        or not session_hash
        or not constant_time_compare(session_hash, getattr(user, "_session_auth_hash", None) or "")
    ):
        # Django decides (a fallback secret key; a stale session flushed, anonymous).
        user = auth.get_user(request)
        if not user.is_authenticated:
            return user
        request._session_user = (user, read_at, None)
        return user
    request._session_user = (user, read_at, _gathered(user))
    return user


def with_cached_user(view):
    """Serve the view with `cached_user` as request.user (before login_required looks at it).
    After the view, the row goes (back) into the cache with what the view looked up on it (its
    roles, its profile), so the next page needs neither."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not hasattr(request, "session"):
            return view(request, *args, **kwargs)
        request.user = SimpleLazyObject(lambda: cached_user(request))
        response = view(request, *args, **kwargs)
        loaded = getattr(request, "_session_user", None)
        if loaded is not None:
            user, read_at, gathered = loaded
            if _gathered(user) != gathered:
                _store(user, read_at)
        return response

    return wrapper


@receiver(post_save, sender=User, dispatch_uid="quiz.session_user.user_saved")
@receiver(post_delete, sender=User, dispatch_uid="quiz.session_user.user_deleted")
def _user_changed(sender, instance, **kwargs):
    forget(instance.pk)


@receiver(post_save, sender=Profile, dispatch_uid="quiz.session_user.profile_saved")
@receiver(post_delete, sender=Profile, dispatch_uid="quiz.session_user.profile_deleted")
def _profile_changed(sender, instance, **kwargs):
    forget(instance.user_id)


@receiver(m2m_changed, sender=User.groups.through, dispatch_uid="quiz.session_user.groups_changed")
def _groups_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if not reverse:  # user.groups.add(...), .remove(...), .set(...), .clear()
        if action.startswith("post_"):
            forget(instance.pk)
    elif action in ("post_add", "post_remove"):  # group.user_set.add(...): the users named
        for user_id in pk_set or ():
            forget(user_id)
    elif action == "pre_clear":  # group.user_set.clear(): everyone in it, while they still are
        for user_id in instance.user_set.values_list("pk", flat=True):
            forget(user_id)


@receiver(user_logged_in, dispatch_uid="quiz.session_user.logged_in")
@receiver(user_logged_out, dispatch_uid="quiz.session_user.logged_out")
def _logged_in_or_out(sender, request, user, **kwargs):
    if user is not None:
        forget(user.pk)
