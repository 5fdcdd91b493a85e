"""Who sees what in the quiz: one predicate per role and object (see essays.rules)."""


def is_attempt_owner(user, attempt) -> bool:
    return bool(user.is_authenticated and attempt.user_id == user.pk)


def can_take_attempt(user, attempt) -> bool:
    """Answering, submitting and opening its result and review: only the contestant who started
    it, staff included (`selectors.get_attempt_for_contestant`, behind the attempt and result
    pages). No page shows one attempt to anyone else: the staff read attempts only as figures and
    exports, the right answers only under `selectors.review_allowed`."""
    return is_attempt_owner(user, attempt)
