"""Who sees what in the quiz: one predicate per role and object, and the quiz app's permissions
(see essays.rules)."""

import rules

from accounts.rules import is_office, is_organizer


@rules.predicate
def is_attempt_owner(user, attempt) -> bool:
    return bool(user.is_authenticated and attempt is not None and attempt.user_id == user.pk)


@rules.predicate
def can_take_attempt(user, attempt) -> bool:
    """Answering, submitting and opening its result and review: only the contestant who started
    it, staff included (`selectors.get_attempt_for_contestant`, behind the attempt and result
    pages). No page shows one attempt to anyone else: the staff read attempts only as figures and
    exports, the right answers only under `selectors.review_allowed`."""
    return is_attempt_owner(user, attempt)


@rules.predicate
def can_review_attempt(user, attempt) -> bool:
    """The right answers of an attempt: its contestant, once the round's review policy shows them
    (`selectors.review_allowed`: when; this: to whom)."""
    from .selectors import review_allowed

    return can_take_attempt(user, attempt) and review_allowed(attempt=attempt)


@rules.predicate
def can_download_seal(user, round) -> bool:
    """A round's sealed key file: everyone once it is published with the results
    (`quiz.seal.is_seal_public`), the organizers before."""
    from .seal import is_seal_public

    return (round is not None and is_seal_public(round)) or is_organizer(user)


@rules.predicate
def may_see_image(user, sha256) -> bool:
    """A question's image: the office, and a contestant with an attempt that drew a question with
    this image. One query for a contestant."""
    from .models import AttemptQuestion

    if not user.is_authenticated or not sha256:
        return False
    if is_office(user):
        return True
    return AttemptQuestion.objects.filter(attempt__user=user, question__image_sha256=sha256).exists()


@rules.predicate
def can_share_result(user, round) -> bool:
    """Their own ranked result of a weekly round whose results are published (quiz.sharing)."""
    from .sharing import shareable_entry

    return shareable_entry(user=user, round=round) is not None


rules.add_perm("quiz.manage_round", is_office)  # a round's staff page: figures, problems, prizes
rules.add_perm("quiz.run_round", is_organizer)  # its actions: seal, draft prizes, publish results
rules.add_perm("quiz.view_live_ranking", is_office)  # the leaderboard before the results
rules.add_perm("quiz.see_answers", is_organizer)  # the bank with its right answers (admin, exports)
rules.add_perm("quiz.seal_round", is_organizer)  # sealing a round in the admin
rules.add_perm("quiz.correct_key", is_organizer)  # an erratum of a sealed key (annul, re-key), in the admin
rules.add_perm("quiz.download_answer_key", is_organizer)  # the answer key workbook of a round
rules.add_perm("quiz.take_attempt", can_take_attempt)  # one attempt, its result and review
rules.add_perm("quiz.review_attempt", can_review_attempt)  # its right answers, on the result page
rules.add_perm("quiz.download_seal", can_download_seal)  # one round's key file
rules.add_perm("quiz.see_image", may_see_image)  # one question image (object: its SHA-256)
rules.add_perm("quiz.share_result", can_share_result)  # share one's own published result (object: the round)
