"""Publishing the results of either part, as the organizers do it from the pages: first a
confirmation that shows what becomes public, then the publication itself — refused while an
integrity case about a prize holder is undecided, unless the organizer overrides with a reason
(recorded in the «Công bố kết quả» decision with the cases it overrode).

The rule «no publication over an undecided case about a winner» lives here because it needs the
integrity review (audit), which sits above the two parts; the parts' own rules (closed round, a
fully verified list, once only) stay in `quiz.services.prizes.round_publish_results` and
`essays.judging.prizes_publish`, which this calls."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from accounts.selectors import organization_labels
from audit import integrity
from essays import judging
from essays.models import EssayPrize, JudgingRound
from essays.services import EssayError
from quiz import selectors as quiz_selectors
from quiz.errors import QuizError
from quiz.models import Prize, Round
from quiz.services import prizes as quiz_prizes


@dataclass
class Line:
    """One prize as the confirmation page lists it."""

    tier: str
    place: int
    name: str  # the winner (quiz) or the essay's code and title
    detail: str  # the unit's full name (quiz) or the authors (essays)
    status: str
    cases: list = field(default_factory=list)  # undecided integrity cases about the holder


@dataclass
class Preview:
    """What «Công bố kết quả» would make public, and what stands in the way."""

    lines: list[Line]
    refusal: str  # why the part's own rules refuse now ("" if they allow it)
    open_cases: int  # undecided cases about the holders (publication needs an override)
    ranked: int = 0  # quiz: how many people the public leaderboard ranks
    essays: int = 0  # essays: how many awarded essays go on the public site

    @property
    def blocked(self) -> bool:
        return bool(self.refusal)


def _holders_cases(*, contest, user_ids, after=None) -> dict[int, list]:
    return integrity.open_cases_by_user(contest=contest, user_ids=user_ids, after=after)


# --- the quiz ------------------------------------------------------------------------------------


def round_preview(*, round: Round) -> Preview:
    """The confirmation page of a weekly round: its valid prizes best first, each winner's unit
    under its full name and the undecided cases about them, and how many people the public
    leaderboard ranks."""
    prizes = list(
        Prize.objects.filter(round=round).valid().select_related("user", "entry__best_attempt__organization").order_by("rank")
    )
    units = organization_labels(p.entry.best_attempt.organization for p in prizes if p.entry_id)
    cases = _holders_cases(contest=round.contest, user_ids=[p.user_id for p in prizes], after=integrity.final_after(round))
    lines = [
        Line(
            p.get_tier_display(),
            p.rank,
            p.user.full_name,
            units.get(p.entry.best_attempt.organization_id, "") if p.entry_id else "",
            p.get_status_display(),
            cases.get(p.user_id, []),
        )  # fmt: skip
        for p in prizes
    ]
    return Preview(
        lines=lines,
        refusal=quiz_prizes.round_publish_problem(round),
        open_cases=sum(len(line.cases) for line in lines),
        ranked=quiz_selectors.ranked_counts(round_ids=[round.pk])[round.pk],
    )


def _override(preview: Preview, override_reason: str, error) -> tuple[str, dict]:
    """The decision's reason and data for an override, or the refusal when one is needed."""
    reason = (override_reason or "").strip()
    if not preview.open_cases:
        return "", {}
    if not reason:
        raise error(
            _("Còn %(n)d trường hợp rà soát chưa quyết định về người đạt giải; hãy quyết định trước, hoặc ghi lý do vẫn công bố.")
            % {"n": preview.open_cases}
        )
    overridden = sorted({case.description for line in preview.lines for case in line.cases})
    return reason[:500], {"override_open_cases": overridden}


def round_publish(*, round: Round, by, override_reason: str = "") -> Round:
    """«Công bố kết quả» of a weekly round from the confirmation page: refused while a case about a
    winner is undecided unless `override_reason` says why (recorded with the cases)."""
    preview = round_preview(round=round)
    reason, data = _override(preview, override_reason, QuizError)
    return quiz_prizes.round_publish_results(round=round, by=by, reason=reason, data=data)


# --- the essays ----------------------------------------------------------------------------------


def _essay_prizes(round: JudgingRound):
    return (
        EssayPrize.objects.filter(essay__round_entries__round=round)
        .valid()
        .select_related("essay__submitter")
        .prefetch_related("essay__authors")
        .order_by("rank")
    )


def essay_preview(*, round: JudgingRound) -> Preview:
    """The confirmation page of the essay prizes: each awarded essay (it goes on the public site)
    with its authors, and the undecided cases about its submitter."""
    prizes = list(_essay_prizes(round))
    cases = _holders_cases(contest=round.phase.contest, user_ids=[p.essay.submitter_id for p in prizes])
    lines = [
        Line(
            p.get_tier_display(),
            p.rank,
            f"{p.essay.code} – {p.essay.title}",
            ", ".join(a.name for a in p.essay.authors.all()),
            p.get_status_display(),
            cases.get(p.essay.submitter_id, []),
        )  # fmt: skip
        for p in prizes
    ]
    return Preview(
        lines=lines,
        refusal=judging.prizes_publish_problem(round, awarded=prizes),
        open_cases=sum(len(line.cases) for line in lines),
        essays=sum(1 for p in prizes if p.essay.published_at is None),
    )


def essays_publish(*, round: JudgingRound, by, override_reason: str = "") -> int:
    """«Công bố giải» of the writing contest from the confirmation page (the same override rule)."""
    preview = essay_preview(round=round)
    reason, data = _override(preview, override_reason, EssayError)
    return judging.prizes_publish(round=round, by=by, reason=reason, data=data)
