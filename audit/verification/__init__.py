"""verify_results: every published or stored result recomputed from what was stamped and chosen —
the attempts, their answers and the sealed key files, the score sheets — and compared.

- `quiz`: each round's seal (`quiz.seal.seal_verify`: bytes against the fingerprint, the bank
  against the key file; `seal_history`: written before the opening, never replaced, the window
  as sealed plus the recorded extensions), every attempt scored again with the key parsed from the sealed file,
  durations, each contestant's best attempt (`quiz.ranking`), the leaderboard and the prize list
  (`contests.prizes` eligibility: staff and inactive accounts skipped, disqualified entries out,
  prizes found not valid kept and passed on);
- `figures`: the weekly and per-unit tables (`reports.selectors`) recomputed in plain Python, and
  the kept figures the pages read (`quiz.figures`) recomputed from the attempts;
- `essays`: each judging round's results and the essay prize lists.

`verify_results(contest_slug=None)` returns a `Report` (differences grouped by contest and round,
and the counts of what was checked); `python manage.py verify_results` prints it and exits 1 on
any difference."""

from django.utils.translation import gettext as _

from contests.models import Contest
from quiz.figures import figures_fresh
from quiz.models import Round

from .essays import verify_essays
from .figures import verify_kept_figures, verify_unit_table, verify_weekly_table
from .quiz import verify_round
from .report import Report

__all__ = ["Report", "verify_contest", "verify_results"]


def verify_contest(*, contest: Contest, report: Report) -> None:
    label = _("Cuộc thi «%(name)s» (%(slug)s)") % {"name": contest.name, "slug": contest.slug}
    report.checked["contests"] += 1
    rounds = [
        verify_round(round=round, report=report, contest_label=label)
        for round in Round.objects.filter(contest=contest).select_related("contest").order_by("kind", "number", "pk")
    ]
    # The pages' roll-ups against the plain recount, on figures counted now (live rounds too);
    # the kept figures the pages read, against the attempts, apart.
    with figures_fresh():
        verify_weekly_table(contest=contest, rounds=rounds, report=report, contest_label=label)
        verify_unit_table(contest=contest, rounds=rounds, report=report, contest_label=label)
    verify_kept_figures(contest=contest, report=report, contest_label=label)
    verify_essays(contest=contest, report=report, contest_label=label)


def verify_results(*, contest_slug: str | None = None) -> Report:
    """Recompute and compare every contest, or the one with this slug (Contest.DoesNotExist if none)."""
    report = Report()
    contests = Contest.objects.order_by("pk")
    if contest_slug is not None:
        contests = [Contest.objects.get(slug=contest_slug)]
    for contest in contests:
        verify_contest(contest=contest, report=report)
    return report
