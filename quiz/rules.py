"""Who sees what in the quiz: one predicate per role and object (see essays.rules)."""

from accounts.roles import OFFICE_ROLES, has_role


def is_attempt_owner(user, attempt) -> bool:
    return bool(user.is_authenticated and attempt.user_id == user.pk)


def can_view_attempt(user, attempt) -> bool:
    """The contestant who took it; the secretariat and organizers for figures and reviews."""
    return is_attempt_owner(user, attempt) or has_role(user, *OFFICE_ROLES)


def can_take_attempt(user, attempt) -> bool:
    """Answering and submitting: only the contestant who started it, staff included."""
    return is_attempt_owner(user, attempt)
