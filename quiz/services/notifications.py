"""What the quiz tells contestants (contests.notifications): the results of a round, and a
round that has opened."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from quiz.enums import RoundKind
from quiz.models import Prize, Round, RoundEntry, RoundSeal
from quiz.seal import fingerprint_groups


def round_results_notify(round: Round) -> None:
    """Everyone ranked in the round hears the results are out; each winner, what they won and
    what to do next (contests.notifications, in this transaction)."""
    from django.conf import settings

    from contests import notifications

    url = settings.SITE_URL + reverse("quiz:leaderboard", args=[round.pk])
    winners = list(Prize.objects.filter(round=round).valid().select_related("user"))
    for prize in winners:
        _prize_won_notify(prize, round=round, url=url, key=f"prize_won:quiz:{prize.pk}")
    users = [entry.user for entry in RoundEntry.objects.filter(round=round).select_related("user")]
    notifications.notify_users(
        users=users, kind=notifications.Kind.RESULTS, key=f"results:quiz:{round.pk}", context={"title": round.name, "url": url}
    )


def prizes_moved_notify(*, round: Round, prizes) -> None:
    """After publication: each verified winner whose tier changed (someone above was found not
    valid, or restored) or who joined the list and was verified hears their prize now. Once per
    prize and tier (the key), in this transaction."""
    from django.conf import settings

    url = settings.SITE_URL + reverse("quiz:leaderboard", args=[round.pk])
    for prize in Prize.objects.filter(pk__in=[p.pk for p in prizes]).select_related("user"):
        _prize_won_notify(prize, round=round, url=url, key=f"prize_won:quiz:{prize.pk}:{prize.tier}")


def erratum_notify(*, round: Round, erratum, before: dict, after: dict) -> int:
    """After publication, an erratum re-scored the round: everyone whose score or place changed
    hears the new ones and why (once per erratum; winners whose tier moved also get their prize
    message, through the amendment path). `before`/`after`: user id → (place, score)."""
    from django.conf import settings

    from contests import notifications

    moved = [uid for uid in before.keys() | after.keys() if before.get(uid) != after.get(uid)]
    if not moved:
        return 0
    url = settings.SITE_URL + reverse("quiz:round", args=[round.pk]) + "#dinh-chinh"
    n = round.questions_per_attempt

    def context(user):
        old, new = before.get(user.pk), after.get(user.pk)
        return {
            "title": round.name, "url": url, "erratum": erratum, "question_code": erratum.question.code,
            "reason": erratum.reason, "annulled": erratum.action == "annul", "out_of": n,
            "old_place": old[0] if old else None, "old_score": old[1] if old else None,
            "new_place": new[0] if new else None, "new_score": new[1] if new else None,
        }  # fmt: skip

    return notifications.notify_users(
        users=list(User.objects.filter(pk__in=moved)),
        kind=notifications.Kind.RESULTS,
        key=f"erratum:quiz:{erratum.pk}",
        context=context,
    )


def _prize_won_notify(prize, *, round: Round, url: str, key: str) -> None:
    """A weekly prize told to its holder (at publication, or when it moved after it)."""
    from django.conf import settings

    from contests import notifications

    notifications.notify(
        user=prize.user,
        kind=notifications.Kind.PRIZE_WON,
        key=key,
        context={
            "tier_label": prize.get_tier_display(),
            "scope_name": f"{round.name} – {round.contest.name}",
            "url": url,
            "hotline": settings.CONTEST_HOTLINE,
        },
    )


def rounds_announce_opened(*, now=None) -> int:
    """«Tuần thi mới mở»: each sealed weekly round that has opened and not closed is announced once
    to those who asked for it (opt-in). Safe to run again (the beat runs it every minute)."""
    from django.conf import settings

    from contests import notifications

    now = now or timezone.now()
    due = Round.objects.filter(
        kind=RoundKind.WEEKLY, approved_at__isnull=False, opening_announced_at__isnull=True, opens_at__lte=now, closes_at__gt=now
    ).values_list("pk", flat=True)
    announced = 0
    for pk in due:
        with transaction.atomic():
            round = Round.objects.select_for_update().select_related("contest").get(pk=pk)
            if round.opening_announced_at:
                continue
            users = User.objects.filter(pk__in=notifications.opted_in_user_ids(notifications.Kind.ROUND_OPEN))
            sha256 = RoundSeal.objects.filter(round_id=round.pk).values_list("sha256", flat=True).first() or ""
            notifications.notify_users(
                users=users,
                kind=notifications.Kind.ROUND_OPEN,
                key=f"round_open:{round.pk}",
                context={
                    "round_name": round.name,
                    "contest_name": round.contest.name,
                    "closes_at": timezone.localtime(round.closes_at),
                    "url": settings.SITE_URL + reverse("quiz:round", args=[round.pk]),
                    # The seal's fingerprint, as the round page shows it: the e-mail only (an SMS
                    # keeps to its one segment); the help page says how to check it.
                    "seal_groups": fingerprint_groups(sha256),
                    "seal_help_url": settings.SITE_URL + reverse("quiz:seal_help"),
                },
            )
            Round.objects.filter(pk=round.pk).update(opening_announced_at=now)
            announced += 1
    return announced
