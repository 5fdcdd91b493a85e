"""The permission backend of the policy layer (settings.AUTHENTICATION_BACKENDS, before Django's
ModelBackend)."""

from django.core.exceptions import PermissionDenied
from rules.permissions import ObjectPermissionBackend, perm_exists


class PolicyBackend(ObjectPermissionBackend):
    """django-rules' backend, with one difference: a permission named in an app's `rules.py` is
    answered by its predicate alone — a no stops there — so Django's ModelBackend (the admin's
    model permissions) is never asked about it: no model permission can grant a named one, and a
    page asking one costs no query for the groups' model permissions. Any other permission goes on
    to ModelBackend."""

    def has_perm(self, user, perm, *args, **kwargs):
        if not perm_exists(perm):
            return False
        if super().has_perm(user, perm, *args, **kwargs):
            return True
        raise PermissionDenied
