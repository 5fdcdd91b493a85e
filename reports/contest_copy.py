"""«Sao chép cuộc thi»: next year's draft made from this year's contest.

What is copied is the contest's *plan*: its texts, pages, reference documents (the new row points
at the same stored file: documents are public and never edited in place, so a second copy would
only double the storage; replacing one uploads a new file), FAQ, the rounds with their dates
shifted, limits, policies, prize plans and blueprints, the essay phases, their judging rounds
and rubrics. Never copied: questions (pools are drawn anew from the bank), seals, attempts,
entries, prizes, essays, judges (panels), decisions — nothing about a person.

It touches the contest, the quiz and the essays, so it lives in the top layer (docs/architecture.md).
Each model's copied fields are listed below; `tests/reports/test_contest_copy.py` holds every
concrete field of those models to be either copied or named as left out, so a field added later
is classified on purpose."""

import datetime

from django.db import transaction
from django.utils import timezone

from contests.enums import ContestStatus
from contests.models import FAQ, Contest, ReferenceDocument
from essays.enums import JudgingStatus
from essays.models import Criterion, EssayPhase, JudgingRound
from quiz.models import BlueprintItem, Round

CONTEST_FIELDS = [
    "theme", "organizer_name", "summary", "rules", "hotline", "contact_email", "contact_address",
    # The document format of the summary report (the issuing body, signer, recipients)
    "doc_superior_body", "doc_issuing_body", "doc_symbol", "doc_place", "doc_signer_authority", "doc_signer_title",
    "doc_signer_name", "doc_recipients",
]  # fmt: skip
CONTEST_SET = ["name", "slug", "starts_on", "ends_on", "status"]  # given by the organizer or derived
CONTEST_LEFT = ["id", "created_at", "updated_at", "doc_number"]  # a new report gets its own number

DOCUMENT_FIELDS = ["title", "description", "file", "sort_order"]
DOCUMENT_LEFT = ["id", "contest", "created_at"]
FAQ_FIELDS = ["question", "answer", "sort_order"]
FAQ_LEFT = ["id", "contest"]

ROUND_FIELDS = [
    "kind", "number", "name", "questions_per_attempt", "time_limit_seconds", "max_attempts", "attempts_per_day",
    "min_start_interval_minutes", "review_policy", "ranking_rule", "tiebreaker_enabled",
    "prizes_first", "prizes_second", "prizes_third", "prizes_consolation",
]  # fmt: skip
ROUND_SHIFTED = ["opens_at", "closes_at"]
# The seal, the publication and the frozen count of full scores belong to the old round's results.
ROUND_LEFT = [
    "id", "contest", "approved_at", "approved_by", "results_published_at", "results_published_by",
    "full_score_actual", "created_at", "opening_announced_at",
]  # fmt: skip
BLUEPRINT_FIELDS = ["field", "count"]
BLUEPRINT_LEFT = ["id", "round"]

PHASE_FIELDS = ["name", "min_words", "max_words"]
PHASE_SHIFTED = ["opens_at", "closes_at"]
PHASE_LEFT = ["id", "contest"]
JUDGING_FIELDS = ["name", "order", "assignment_mode", "judges_per_essay"]
JUDGING_SHIFTED = ["deadline"]
JUDGING_LEFT = ["id", "phase", "status", "closed_at"]  # a new round starts as a draft
CRITERION_FIELDS = ["name", "max_points", "weight", "order"]
CRITERION_LEFT = ["id", "round"]


def _values(obj, names) -> dict:
    return {name: getattr(obj, name) for name in names}


def _shift(moment, delta: datetime.timedelta):
    """The same wall-clock time `delta` days later (a round opening Monday 8:00 opens at 8:00)."""
    if moment is None:
        return None
    local = timezone.localtime(moment)
    return timezone.make_aware(local.replace(tzinfo=None) + delta)


@transaction.atomic
def contest_copy(*, source: Contest, name: str, slug: str, starts_on: datetime.date) -> Contest:
    """Create a DRAFT contest named `name` at `slug` from `source`, every date moved by
    `starts_on - source.starts_on` (see the module docstring for what is copied). One transaction."""
    delta = datetime.timedelta(days=(starts_on - source.starts_on).days)
    contest = Contest.objects.create(
        name=name, slug=slug, starts_on=starts_on, ends_on=source.ends_on + delta, status=ContestStatus.DRAFT,
        **_values(source, CONTEST_FIELDS),
    )  # fmt: skip
    ReferenceDocument.objects.bulk_create(
        ReferenceDocument(contest=contest, **_values(d, DOCUMENT_FIELDS)) for d in source.documents.order_by("sort_order", "id")
    )
    FAQ.objects.bulk_create(FAQ(contest=contest, **_values(f, FAQ_FIELDS)) for f in source.faqs.order_by("sort_order", "id"))

    for old in Round.objects.filter(contest=source).prefetch_related("blueprint").order_by("kind", "number"):
        new = Round.objects.create(
            contest=contest, **_values(old, ROUND_FIELDS), **{f: _shift(getattr(old, f), delta) for f in ROUND_SHIFTED}
        )
        BlueprintItem.objects.bulk_create(BlueprintItem(round=new, **_values(b, BLUEPRINT_FIELDS)) for b in old.blueprint.all())

    phases = EssayPhase.objects.filter(contest=source).prefetch_related("judging_rounds__criteria").order_by("opens_at", "id")
    for old_phase in phases:
        shifted = {f: _shift(getattr(old_phase, f), delta) for f in PHASE_SHIFTED}
        phase = EssayPhase.objects.create(contest=contest, **_values(old_phase, PHASE_FIELDS), **shifted)
        for old_round in old_phase.judging_rounds.all():
            judging = JudgingRound.objects.create(
                phase=phase, status=JudgingStatus.DRAFT, **_values(old_round, JUDGING_FIELDS),
                **{f: _shift(getattr(old_round, f), delta) for f in JUDGING_SHIFTED},
            )  # fmt: skip
            Criterion.objects.bulk_create(
                Criterion(round=judging, **_values(c, CRITERION_FIELDS)) for c in old_round.criteria.all()
            )
    return contest


def next_year(day: datetime.date) -> datetime.date:
    """The same day a year later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)
