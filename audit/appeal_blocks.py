"""What appeals add to the lower apps' pages (contests.selectors.page_blocks, declared on
AuditConfig): «Khiếu nại» beside a contestant's published results, on an essay's page, and the
counts on the public results."""

from contests.models import Decision
from essays.models import JudgingRound
from quiz.models import RoundEntry

from . import appeals


def _rows(targets, mine):
    """(target, the person's appeals about it newest first, why not file now) per target."""
    rows = []
    for target in targets:
        about = [a for a in mine if appeals.target_key(a) == target.key]
        problem = appeals.appeal_problem(user=None, target=target, has_open=any(a.is_open for a in about))
        rows.append({"target": target, "appeals": about, "problem": problem, "deadline": appeals.appeal_deadline(target)})
    return rows


def my_results_blocks(*, contest, user) -> list[dict]:
    """On «Kết quả của tôi»: each published weekly round the contestant has a result in, and each
    essay they submitted or co-authored whose judging round is published, with «Khiếu nại» while
    the window is open and the state of their appeals. Three queries, two more with an essay."""
    if not user.is_authenticated:
        return []
    entries = (
        RoundEntry.objects.filter(user=user, round__contest=contest, round__results_published_at__isnull=False)
        .select_related("round__contest")
        .order_by("round__number")
    )
    targets = [
        appeals.Target(appeals.Part.QUIZ, e.round.contest, e.round.results_published_at, round=e.round)
        for e in entries
        if not e.round.is_practice
    ]
    # A co-author has no other page of the essay's to find «Khiếu nại» on.
    targets += appeals.essay_targets_for_user(user=user, contest=contest)
    # Read whether or not a round is published: the page costs the same before and after.
    mine = list(appeals.appeals_for_user(user=user, contest=contest))
    if not targets:
        return []
    return [{"template": "audit/_my_appeals_block.html", "rows": _rows(targets, mine)}]


def essay_author_blocks(*, essay, user) -> list[dict]:
    """On the submitter's essay page, once the essay was refused at screening or a judging round
    with it has been published."""
    target = appeals.screening_target(user=user, essay=essay) or appeals.essay_target(user=user, essay=essay)
    if target is None:
        return []
    mine = list(appeals.appeals_for_user(user=user).filter(essay=essay))
    return [{"template": "audit/_my_appeals_block.html", "rows": _rows([target], mine), "essay": True}]


def round_results_blocks(*, round) -> list[dict]:
    """On a weekly round's published results: «N khiếu nại đã nhận, M đã giải quyết»."""
    deadline = appeals.appeal_deadline(appeals.Target(appeals.Part.QUIZ, round.contest, round.results_published_at, round=round))
    return [{"template": "audit/_appeal_counts.html", "counts": appeals.counts(round=round), "deadline": deadline}]


def essay_results_blocks(*, contest) -> list[dict]:
    """On the writing contest's public page, once one of its judging rounds is published."""
    published = Decision.objects.filter(
        contest=contest, action=Decision.Action.PUBLISH, object_type=JudgingRound._meta.label_lower
    ).values("object_id")
    rounds = JudgingRound.objects.filter(pk__in=published)
    if not rounds.exists():
        return []
    return [{"template": "audit/_appeal_counts.html", "counts": appeals.counts(judging_rounds=rounds), "essays": True}]
