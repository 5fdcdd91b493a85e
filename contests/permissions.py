"""Views ask a named permission; the policy (django-rules predicates, and which permission each
predicate answers) lives in each app's `rules.py`, listed in docs/architecture.md.

This module is the bottom layer's, so every app (contests included, whose copy page asks
`contests.copy_contest`, a permission the accounts app registers) guards its views the same way."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied


def permission_required(perm: str):
    """View decorator: anonymous users are sent to log in; a signed-in user without `perm`
    (`request.user.has_perm`) gets 403, never a second login page."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not request.user.has_perm(perm):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.required_permission = perm  # read by the test that walks every staff URL
        return wrapper

    return decorator
