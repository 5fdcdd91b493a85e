from django.core.cache import cache
from django.http import Http404
from django.shortcuts import render

from accounts.enums import Role
from accounts.roles import role_required
from contests.selectors import current_contest
from quiz.enums import PrizeTier

from . import selectors

SORTS = {"-attempts", "-participants", "-full", "-rate", "rate", "-prizes", "name"}


def _contest():
    contest = current_contest()
    if contest is None:
        raise Http404
    return contest


@role_required(Role.SECRETARIAT, Role.ORGANIZER)
def dashboard(request):
    contest = _contest()
    sort = request.GET.get("sort") if request.GET.get("sort") in SORTS else "-attempts"
    weeks, total = selectors.weekly_table(contest=contest)
    context = {
        "contest": contest,
        "weeks": weeks,
        "total": total,
        "units": selectors.unit_table(contest=contest, sort=sort),
        "sort": sort,
        "tiers": PrizeTier.choices,
    }
    return render(request, "reports/dashboard.html", context)


def public_stats(request):
    """Live participation for everyone, recomputed at most once a minute."""
    contest = _contest()
    key = f"public-stats:{contest.pk}"
    figures = cache.get(key)
    if figures is None:
        weeks, total = selectors.weekly_table(contest=contest)
        units = [u for u in selectors.unit_table(contest=contest, sort="-participants") if u.participants][:15]
        top = max([u.participants for u in units] + [1])
        week_top = max([w.participants for w in weeks] + [1])
        figures = {
            "weeks": [(w.round.name, w.participants, w.attempts, round(100 * w.participants / week_top)) for w in weeks],
            "total": (total.participants, total.attempts),
            "units": [
                (u.unit.short_name or u.unit.name, u.participants, u.attempts, round(100 * u.participants / top)) for u in units
            ],
        }
        cache.set(key, figures, 60)
    return render(request, "reports/public_stats.html", {"contest": contest, **figures})
