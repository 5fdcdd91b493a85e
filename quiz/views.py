from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import profile_required
from accounts.net import client_ip
from accounts.selectors import organization_labels
from contests.permissions import permission_required
from contests.rules import contest_is_writable, read_only_message
from contests.selectors import contest_for_request, page_blocks

from . import autosave, rules, selectors
from .enums import PrizeStatus
from .errors import QuizError
from .forms import PredictionForm, ShareForm, parse_answers
from .models import Round
from .services import attempts as attempt_services
from .services.prizes import round_prizes_draft
from .services.rounds import round_approve
from .session_user import with_cached_user
from .sharing import shares_for_user


def round_list(request):
    contest = contest_for_request(request)
    rounds = list(selectors.visible_rounds(contest=contest))
    entries = selectors.entries_for_user(user=request.user, contest=contest) if request.user.is_authenticated else {}
    return render(request, "quiz/round_list.html", {"contest": contest, "rounds": rounds, "entries": entries})


@with_cached_user
def round_detail(request, pk):
    round = selectors.get_round_for_contestant(pk=pk)
    attempts, entry, place = [], None, None
    if request.user.is_authenticated:
        attempts = list(selectors.attempts_for_user(user=request.user, round=round))
        entry = selectors.entries_for_user(user=request.user, contest=round.contest).get(round.pk)
        place = selectors.contestant_place(entry=entry, round=round)
    open_attempt = next((a for a in attempts if a.is_open), None)
    context = {
        "round": round, "attempts": attempts, "entry": entry, "rank": place, "open_attempt": open_attempt,
        "places_visible": selectors.places_visible(round=round),
        "ranked": selectors.ranked_counts(round_ids=[round.pk])[round.pk] if place else None,
        "next_round": selectors.next_round(round=round),
    }  # fmt: skip
    return render(request, "quiz/round_detail.html", context)


@require_POST
@with_cached_user
@profile_required
def attempt_start(request, pk):
    round = selectors.get_round_for_contestant(pk=pk)
    if not contest_is_writable(round.contest):
        messages.error(request, read_only_message())
        return redirect("quiz:round", pk=round.pk)
    try:
        attempt = attempt_services.attempt_start(round=round, user=request.user, ip_address=client_ip(request))
    except QuizError as exc:
        messages.error(request, exc.message)
        return redirect("quiz:round", pk=round.pk)
    return redirect("quiz:attempt", pk=attempt.pk)


@with_cached_user
@login_required
def attempt_page(request, pk):
    attempt = selectors.get_attempt_for_contestant(request.user, pk)
    if request.method == "POST":
        return _attempt_submit(request, attempt)
    if attempt.is_open and attempt.deadline <= timezone.now():
        attempt = attempt_services.attempt_finalize(attempt=attempt)
    if not attempt.is_open:
        return redirect("quiz:result", pk=attempt.pk)
    items = selectors.attempt_items(attempt=attempt)
    context = {
        "attempt": attempt,
        "round": attempt.round,
        "items": items,
        "answered": sum(1 for item in items if item.chosen_index is not None),
        "total": len(items) + (1 if attempt.round.tiebreaker_enabled else 0),  # the prediction counts as a question
        "prediction_form": PredictionForm() if attempt.round.tiebreaker_enabled else None,
        "autosave_token": autosave.token_for(attempt=attempt, session_key=request.session.session_key),
    }
    return render(request, "quiz/attempt.html", context)


def _attempt_submit(request, attempt):
    answers = parse_answers(request.POST)
    prediction_form = PredictionForm(request.POST)
    prediction = prediction_form.cleaned_data.get("prediction") if prediction_form.is_valid() else None
    if answers is None:
        messages.error(request, _("Câu trả lời gửi lên không hợp lệ. Các câu trả lời đã lưu vẫn được giữ nguyên."))
        return redirect("quiz:attempt", pk=attempt.pk)
    try:
        finished = attempt_services.attempt_submit(attempt=attempt, user=request.user, answers=answers, prediction=prediction)
    except QuizError as exc:
        messages.error(request, exc.message)
        return redirect("quiz:attempt", pk=attempt.pk)
    return redirect("quiz:result", pk=finished.pk)


@require_POST
@login_required
def attempt_autosave(request, pk):
    """Autosave a batch of answers with the session (the page's token takes the lean path in
    quiz.autosave.AutosaveMiddleware; this is its fallback and the way without a token)."""
    answers = autosave.parse_batch(request.POST)
    saved = attempt_services.attempt_save_answers(attempt_id=pk, user_id=request.user.pk, answers=answers) if answers else set()
    return autosave.save_reply(answers, saved)


@with_cached_user
@login_required
def attempt_result(request, pk):
    attempt = selectors.get_attempt_for_contestant(request.user, pk)
    if attempt.is_open:
        return redirect("quiz:attempt", pk=attempt.pk)
    review = rules.can_review_attempt(request.user, attempt)
    round = attempt.round
    entry = None if round.is_practice else selectors.entries_for_user(user=request.user, contest=round.contest).get(round.pk)
    place = selectors.contestant_place(entry=entry, round=round)
    context = {
        "attempt": attempt,
        "round": round,
        "review": review,
        "items": selectors.attempt_items(attempt=attempt, with_answers=True) if review else None,
        "entry": entry,
        "place": place,
        "ranked": selectors.ranked_counts(round_ids=[round.pk])[round.pk] if place else None,
        "places_visible": selectors.places_visible(round=round),
    }
    return render(request, "quiz/result.html", context)


@login_required
def my_results(request):
    contest = contest_for_request(request)
    attempts = list(selectors.attempts_for_user(user=request.user, contest=contest))
    # The practice set is not ranked: its attempts are listed apart, never as a standing.
    practice = [a for a in attempts if a.round.is_practice]
    attempts = [a for a in attempts if not a.round.is_practice]
    entries = selectors.entries_for_user(user=request.user, contest=contest)
    standings = []
    for round in {a.round for a in attempts}:
        entry = entries.get(round.pk)
        standings.append((round, entry, selectors.contestant_place(entry=entry, round=round)))
    standings.sort(key=lambda s: (s[0].kind, s[0].number))
    ranked = selectors.ranked_counts(round_ids=[r.pk for r, _e, place in standings if place]) if standings else {}
    outcomes = selectors.prize_outcomes_for_user(user=request.user, contest=contest) if standings else {}
    # Published results a contestant may share (quiz.sharing), and those already shared.
    # (One query whenever there is a standing, published or not: the page costs the same.)
    published = [r.pk for r, e, _p in standings if e and not e.disqualified and r.results_published_at]
    played = [r.pk for r, e, _p in standings if e]
    shares = shares_for_user(user=request.user, round_ids=played) if played else {}
    standings = [
        (r, e, place, ranked.get(r.pk), outcomes.get(r.pk), r.pk in published, shares.get(r.pk)) for r, e, place in standings
    ]
    # Blocks from the layers above (certificates, award forms), each with its own template.
    blocks = page_blocks("my_results_blocks", contest=contest, user=request.user)
    context = {
        "contest": contest, "attempts": attempts, "practice": practice, "standings": standings, "blocks": blocks,
        "share_form": ShareForm(),
    }  # fmt: skip
    return render(request, "quiz/my_results.html", context)


def leaderboard(request, pk):
    """The public leaderboard once results are published; organizers and the secretariat follow
    it live before that (contestants see no place until the round closes)."""
    round = selectors.get_round_for_contestant(pk=pk)
    live_allowed = request.user.has_perm("quiz.view_live_ranking")
    if not round.results_published_at and not live_allowed:
        return render(request, "quiz/leaderboard_unpublished.html", {"round": round}, status=200)
    limit = 500 if live_allowed else 100
    entries = selectors.leaderboard(round=round, limit=limit)
    units = organization_labels(e.best_attempt.organization for e in entries)
    prizes = selectors.valid_prizes_by_user(round=round)
    for e in entries:
        e.unit_label, e.prize = units[e.best_attempt.organization_id], prizes.get(e.user_id)
    me = request.user.pk if request.user.is_authenticated else None
    mine = None  # the contestant's own line under the table when they are not in it
    if me and not any(e.user_id == me for e in entries):
        entry = selectors.entries_for_user(user=request.user, contest=round.contest).get(round.pk)
        place = selectors.contestant_place(entry=entry, round=round)
        mine = {"entry": entry, "place": place} if place else None
    removed = selectors.removed_places(round=round)
    for place, e in enumerate(entries, start=1):
        e.removed_above = removed.pop(place, 0)
    context = {
        "round": round, "entries": entries, "live": not round.results_published_at, "me": me, "mine": mine,
        "prizes": bool(prizes), "ranked": selectors.ranked_counts(round_ids=[round.pk])[round.pk],
        "removed_below": sum(removed.values()) if len(entries) < limit else 0,  # the whole ranking is shown
        # Appeals against the published results (audit): how many were filed and decided.
        "blocks": page_blocks("round_results_blocks", round=round) if round.results_published_at else [],
        # Why a place is what it is under the prediction rule: each prediction beside the count of
        # full scores it is compared with, once the round has closed (never before: while it is
        # open the count moves and a shown prediction would help others guess).
        "full_scores": selectors.leaderboard_full_scores(round=round),
    }  # fmt: skip
    return render(request, "quiz/leaderboard.html", context)


# --- Organizers and secretariat -----------------------------------------------------------------------


def _round_for_staff(pk) -> Round:
    round = Round.objects.select_related("contest").filter(pk=pk).first()
    if round is None:
        raise Http404
    return round


@permission_required("quiz.manage_round")
def manage_round(request, pk):
    round = _round_for_staff(pk)
    prizes = list(round.prizes.select_related("user", "entry__best_attempt__organization").order_by("rank"))
    prizes.sort(key=lambda p: p.status == PrizeStatus.INVALID)  # the prizes that count first, by place
    units = organization_labels(p.entry.best_attempt.organization for p in prizes)
    for p in prizes:
        p.unit_label = units[p.entry.best_attempt.organization_id]  # the unit under its full name
    context = {
        "round": round,
        "stats": selectors.round_stats(round=round),
        "prizes": prizes,
        "problems": [] if round.is_sealed else selectors.round_problems(round=round),
        "published": [] if round.is_sealed else selectors.pool_published_questions(round=round),
        "can_organize": request.user.has_perm("quiz.run_round"),
    }
    return render(request, "quiz/manage_round.html", context)


@permission_required("quiz.run_round")
@require_POST
def manage_round_action(request, pk, action):
    round = _round_for_staff(pk)
    actions = {
        "approve": lambda: round_approve(
            round=round, by=request.user, confirm_published=request.POST.get("confirm_published") == "1"
        ),
        "prizes": lambda: round_prizes_draft(round=round, by=request.user),
    }
    done = {
        "approve": _("Đã duyệt và niêm phong bộ câu hỏi."),
        "prizes": _("Đã lập danh sách giải dự kiến."),
    }
    if action == "publish":  # publishing asks for a confirmation first (awards.publication)
        return redirect("reports:publish_round", pk=round.pk)
    if action not in actions:
        raise Http404
    try:
        actions[action]()
    except QuizError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done[action])
    return redirect("quiz:manage_round", pk=round.pk)
