"""The quiz's part of «Sao chép cuộc thi» (contests.copying): the rounds with their dates
shifted, limits, policies, prize plans and blueprints; never the pools, seals or anything played."""

from contests.copying import Part, values

from .models import BlueprintItem, Round

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

PARTS = [
    Part(Round, ROUND_FIELDS, ROUND_SHIFTED, ROUND_LEFT),
    Part(BlueprintItem, BLUEPRINT_FIELDS, left=BLUEPRINT_LEFT),
]


def copy(*, source, contest, shift) -> None:
    for old in Round.objects.filter(contest=source).prefetch_related("blueprint").order_by("kind", "number"):
        new = Round.objects.create(
            contest=contest, **values(old, ROUND_FIELDS), **{f: shift(getattr(old, f)) for f in ROUND_SHIFTED}
        )
        BlueprintItem.objects.bulk_create(BlueprintItem(round=new, **values(b, BLUEPRINT_FIELDS)) for b in old.blueprint.all())
