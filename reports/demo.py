"""Demo data across the years: last year's contest, archived with its results (two weekly rounds
played, prizes verified and published), and next year's draft made by «Sao chép cuộc thi» from
this year's. Small and fast; idempotent (what exists is left as it is)."""

import datetime
import random

from django.utils import timezone

from contests.copying import contest_copy, next_year
from contests.enums import ContestStatus
from contests.models import Contest
from quiz import demo as quiz_demo
from quiz import receipts as quiz_receipts
from quiz.enums import RoundKind
from quiz.models import Round
from quiz.services.pool import round_pool_add
from quiz.services.prizes import prize_verify, round_prizes_draft, round_publish_results
from quiz.services.rounds import round_approve

ARCHIVE_SLUG_PREFIX = "dang-vien-tot-chi-bo-kieu-mau-"


def seed_archive(*, current: Contest, users, units) -> Contest:
    """Last year's contest: published while its rounds are played and their prizes published,
    then archived (read-only, results public)."""
    year = current.starts_on.year - 1
    slug = f"{ARCHIVE_SLUG_PREFIX}{year}"
    contest = Contest.objects.filter(slug=slug).first()
    if contest is not None:
        return contest
    year_back = datetime.timedelta(days=364)  # same weekday a year earlier
    contest = Contest.objects.create(
        slug=slug, name=f"Cuộc thi trực tuyến tìm hiểu về Đảng năm {year}", theme="Học tập và làm theo Bác",
        organizer_name=current.organizer_name, summary=current.summary, rules=current.rules,
        starts_on=current.starts_on - year_back, ends_on=current.starts_on - year_back + datetime.timedelta(days=60),
        status=ContestStatus.PUBLISHED, hotline=current.hotline, contact_email=current.contact_email,
    )  # fmt: skip
    bank, _sample = quiz_demo._bank()
    by_field = quiz_demo._questions(bank)
    fields = list(by_field)
    people = quiz_demo._contestants(units) + [users["contestant"]]
    rng = random.Random(year)
    now = timezone.now().replace(second=0, microsecond=0)
    for number in (1, 2):
        # Played now (attempts are stamped by the server's clock), then moved a year back.
        round = Round.objects.create(
            contest=contest, kind=RoundKind.WEEKLY, number=number, name=f"Tuần thi thứ {number} năm {year}",
            opens_at=now - datetime.timedelta(hours=1), closes_at=now + datetime.timedelta(hours=1),
            attempts_per_day=None, min_start_interval_minutes=None,
            prizes_first=1, prizes_second=1, prizes_third=2, prizes_consolation=3,
        )  # fmt: skip
        # Week 2's questions of this year (sealed, answers not shown before it closes): this year's
        # published week 1 is left out, so sealing here asks no confirmation
        # (quiz.selectors.pool_published_questions) — in the story last year came first.
        ids = [q.pk for f in fields[(number - 1) * 3 : number * 3] for q in by_field[f][8:16]]
        round_pool_add(round=round, question_ids=ids)
        back = year_back - datetime.timedelta(days=7 * (number - 1))
        opens = now - back - datetime.timedelta(days=7)
        # Sealed the day before the opening it gets once moved a year back.
        round = round_approve(round=round, by=users["organizer"], at=opens - datetime.timedelta(days=1))
        for user in people:
            quiz_demo._play(round, user, rng, skill=rng.choice([0.6, 0.8, 0.9, 1.0]))
        quiz_demo.demo_window_rewrite(round=round, opens_at=opens, closes_at=now - back)
        quiz_demo._shift(round, back)
        round.refresh_from_db()
        quiz_receipts.receipts_fill(round=round, rebuild=True)  # the attempts moved: receipts made again
        for prize in round_prizes_draft(round=round):
            prize_verify(prize=prize, by=users["secretariat"], valid=True, note="Đã xác minh")
        round_publish_results(round=round, by=users["organizer"])
    Contest.objects.filter(pk=contest.pk).update(status=ContestStatus.ARCHIVED)
    contest.refresh_from_db()
    return contest


def seed_next_year(*, current: Contest) -> Contest:
    """Next year's draft, made from this year's contest by the copy service."""
    starts_on = next_year(current.starts_on)
    slug = f"{ARCHIVE_SLUG_PREFIX}{starts_on.year}"
    existing = Contest.objects.filter(slug=slug).first()
    if existing is not None:
        return existing
    return contest_copy(source=current, name=f"{current.name} năm {starts_on.year}", slug=slug, starts_on=starts_on)


def seed_reminders(*, contest: Contest, users, units) -> None:
    """A reminder the demo unit officer sent this week to two of her unit's people who have not
    taken part (the others are left for «Gửi lời nhắc»); idempotent: once for the unit."""
    from reports.models import Reminder
    from reports.reminders import reminder_plan, reminder_send

    unit, officer = units["CTHUE"], users["unitofficer"]
    if Reminder.objects.filter(organization=unit).exists():
        return
    plan = reminder_plan(organization=unit, contest=contest)
    if plan.week is None or not plan.people:
        return
    reminder_send(
        organization=unit, contest=contest, by=officer, round_id=plan.week.pk, user_ids=[p.user.pk for p in plan.people[:2]]
    )
