"""The essays' part of «Sao chép cuộc thi» (contests.copying): the phases with their dates shifted,
their judging rounds (as drafts) and rubrics; never the essays, panels or scores."""

from contests.copying import Part, values

from .enums import JudgingStatus
from .models import Criterion, EssayPhase, JudgingRound

PHASE_FIELDS = ["name", "min_words", "max_words", "expects_attachment", "vote_enabled", "vote_prize"]
PHASE_SHIFTED = ["opens_at", "closes_at", "vote_opens_at", "vote_closes_at"]
PHASE_LEFT = ["id", "contest"]
JUDGING_FIELDS = ["name", "order", "assignment_mode", "judges_per_essay"]
JUDGING_SHIFTED = ["deadline"]
JUDGING_LEFT = ["id", "phase", "status", "closed_at"]  # a new round starts as a draft
CRITERION_FIELDS = ["name", "max_points", "weight", "order"]
CRITERION_LEFT = ["id", "round"]


PARTS = [
    Part(EssayPhase, PHASE_FIELDS, PHASE_SHIFTED, PHASE_LEFT),
    Part(JudgingRound, JUDGING_FIELDS, JUDGING_SHIFTED, JUDGING_LEFT),
    Part(Criterion, CRITERION_FIELDS, left=CRITERION_LEFT),
]


def copy(*, source, contest, shift) -> None:
    phases = EssayPhase.objects.filter(contest=source).prefetch_related("judging_rounds__criteria").order_by("opens_at", "id")
    for old_phase in phases:
        shifted = {f: shift(getattr(old_phase, f)) for f in PHASE_SHIFTED}
        phase = EssayPhase.objects.create(contest=contest, **values(old_phase, PHASE_FIELDS), **shifted)
        for old_round in old_phase.judging_rounds.all():
            judging = JudgingRound.objects.create(
                phase=phase, status=JudgingStatus.DRAFT, **values(old_round, JUDGING_FIELDS),
                **{f: shift(getattr(old_round, f)) for f in JUDGING_SHIFTED},
            )  # fmt: skip
            Criterion.objects.bulk_create(
                Criterion(round=judging, **values(c, CRITERION_FIELDS)) for c in old_round.criteria.all()
            )
