"""The quiz's part of «Sao chép cuộc thi» (contests.copying): the rounds with their dates
shifted, limits, policies, prize plans and blueprints; never the pools, seals or anything played."""

from contests.copying import Part, values

from . import round_fields
from .models import BlueprintItem, Round

# Which of a round's fields are copied, shifted or left is read from the one classification of
# every Round field (quiz.round_fields), which also says what the seal freezes and the key file holds.
ROUND_FIELDS = list(round_fields.fields_of(round_fields.COPIED))
ROUND_SHIFTED = list(round_fields.fields_of(round_fields.SHIFTED))
# The seal, the publication and the frozen count of full scores belong to the old round's results.
ROUND_LEFT = [name for name in round_fields.ROUND_FIELDS if name not in ROUND_FIELDS + ROUND_SHIFTED]
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
