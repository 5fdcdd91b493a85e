"""The public's vote («bình chọn») on published essays (essays.votes): the window, who may vote, one
vote per phone, essay and day, the limits, results apart from the jury's, «Giải bình chọn», the
organizer's page per role, the personal data."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from contests.models import Decision
from essays import judging, votes
from essays import selectors as essay_selectors
from essays.enums import Eligibility, EssayStatus
from essays.models import Assignment, EssayVote, VotePrize
from tests.budgets import QUERIES
from tests.essays.factories import EssayFactory, EssayPhaseFactory
from tests.essays.test_judging import _round
from tests.factories import UserFactory, staff_user

pytestmark = pytest.mark.django_db

_phones = iter(range(10_000))


def voter(**kwargs):
    phone = f"0915{next(_phones):06d}"
    return UserFactory(phone=phone, phone_verified=True, **kwargs)


def vote_phase(**kwargs):
    now = timezone.now()
    defaults = {
        "vote_enabled": True,
        "vote_opens_at": now - datetime.timedelta(days=1),
        "vote_closes_at": now + datetime.timedelta(days=5),
    }
    return EssayPhaseFactory(**(defaults | kwargs))


def published(phase, **kwargs):
    return EssayFactory(
        phase=phase, status=EssayStatus.SUBMITTED, eligibility=Eligibility.ELIGIBLE, published_at=timezone.now(),
        submitted_at=kwargs.pop("submitted_at", timezone.now()), **kwargs,
    )  # fmt: skip


# --- The window ---------------------------------------------------------------------------------


def test_the_window_is_checked_in_the_form_and_by_the_database():
    phase = EssayPhaseFactory.build(vote_enabled=True)
    with pytest.raises(ValidationError) as caught:
        phase.full_clean(exclude=["contest"])
    assert set(caught.value.message_dict) == {"vote_opens_at", "vote_closes_at"}
    now = timezone.now()
    backwards = EssayPhaseFactory.build(vote_enabled=True, vote_opens_at=now, vote_closes_at=now - datetime.timedelta(hours=1))
    assert "vote_closes_at" in votes.vote_window_problems(backwards)
    assert "vote_prize" in votes.vote_window_problems(EssayPhaseFactory.build(vote_prize=True))
    with pytest.raises(IntegrityError), transaction.atomic():
        EssayPhaseFactory(vote_enabled=True, vote_opens_at=now, vote_closes_at=now)


def test_admin_refuses_a_vote_window_without_dates(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    phase = EssayPhaseFactory()
    url = reverse("admin:essays_essayphase_change", args=[phase.pk])
    data = {
        "contest": phase.contest_id, "name": phase.name, "opens_at_0": "01/01/2026", "opens_at_1": "08:00:00",
        "closes_at_0": "01/12/2026", "closes_at_1": "08:00:00", "min_words": 300, "max_words": 3000,
        "vote_enabled": "on", "vote_opens_at_0": "", "vote_opens_at_1": "", "vote_closes_at_0": "", "vote_closes_at_1": "",
    }  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Bật bình chọn thì phải có thời điểm mở bình chọn." in response.content.decode()
    phase.refresh_from_db()
    assert not phase.vote_enabled


@pytest.mark.parametrize("offset", [datetime.timedelta(days=-2), datetime.timedelta(days=6)])
def test_no_vote_outside_the_window(offset):
    essay = published(vote_phase())
    with pytest.raises(votes.VoteError, match="không trong thời gian bình chọn"):
        votes.essay_vote(essay=essay, user=voter(), ip="10.0.0.1", now=timezone.now() + offset)
    assert not EssayVote.objects.exists()


def test_no_vote_when_the_phase_has_none():
    essay = published(EssayPhaseFactory())
    with pytest.raises(votes.VoteError):
        votes.essay_vote(essay=essay, user=voter(), ip="10.0.0.1")


def test_no_vote_on_an_unpublished_essay(client):
    essay = EssayFactory(phase=vote_phase(), status=EssayStatus.SUBMITTED)
    person = voter()
    client.force_login(person)
    assert client.post(reverse("essays:vote", args=[essay.code])).status_code == 404  # like its page
    with pytest.raises(votes.VoteError, match="chưa được đăng"):
        votes.essay_vote(essay=essay, user=person, ip="10.0.0.1")
    assert not EssayVote.objects.exists()


def test_only_a_verified_phone_votes(client):
    essay = published(vote_phase())
    unverified = UserFactory(phone="0916000001", phone_verified=False)
    client.force_login(unverified)
    response = client.post(reverse("essays:vote", args=[essay.code]), follow=True)
    assert "đã xác minh bằng mã SMS" in response.content.decode()
    client.force_login(UserFactory())  # no sign-in number at all
    client.post(reverse("essays:vote", args=[essay.code]))
    assert not EssayVote.objects.exists()


def test_a_visitor_signs_in_first(client):
    essay = published(vote_phase())
    response = client.post(reverse("essays:vote", args=[essay.code]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not EssayVote.objects.exists()


def test_the_vote_is_a_post_with_csrf():
    from django.test import Client

    essay = published(vote_phase())
    client = Client(enforce_csrf_checks=True)
    client.force_login(voter())
    assert client.get(reverse("essays:vote", args=[essay.code])).status_code == 405
    assert client.post(reverse("essays:vote", args=[essay.code])).status_code == 403
    assert not EssayVote.objects.exists()


# --- One vote per phone, essay and day ------------------------------------------------------------


def test_one_vote_per_phone_per_essay_per_day(client):
    phase = vote_phase()
    essay, other = published(phase), published(phase)
    person = voter()
    client.force_login(person)
    url = reverse("essays:vote", args=[essay.code])
    first = client.post(url, follow=True)
    assert "Cảm ơn bạn đã bình chọn" in first.content.decode()
    second = client.post(url, follow=True)
    assert second.status_code == 200
    assert "đã bình chọn cho bài này hôm nay" in second.content.decode()
    assert EssayVote.objects.filter(essay=essay).count() == 1
    votes.essay_vote(essay=other, user=person, ip="10.0.0.1")  # another essay: allowed
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    votes.essay_vote(essay=essay, user=person, ip="10.0.0.1", now=tomorrow)  # another day: allowed
    assert EssayVote.objects.filter(essay=essay).count() == 2
    with pytest.raises(IntegrityError), transaction.atomic():  # the database holds the rule
        EssayVote.objects.create(essay=essay, phone=person.phone, day=votes.vote_day(timezone.now()))


def test_the_day_is_vietnams():
    # 23:30 UTC is 06:30 the next day in Hanoi.
    moment = datetime.datetime(2026, 3, 1, 23, 30, tzinfo=datetime.UTC)
    assert votes.vote_day(moment) == datetime.date(2026, 3, 2)


def test_the_page_shows_the_count_and_the_button(client):
    essay = published(vote_phase())
    person = voter()
    client.force_login(person)
    page = client.get(reverse("essays:public", args=[essay.code])).content.decode()
    assert "Bình chọn cho bài này" in page and "0 lượt bình chọn" in page
    votes.essay_vote(essay=essay, user=person, ip="10.0.0.1")
    page = client.get(reverse("essays:public", args=[essay.code])).content.decode()
    assert "Hôm nay bạn đã bình chọn cho bài này" in page and "1 lượt bình chọn" in page


# --- The limits ------------------------------------------------------------------------------------


def test_limit_per_address_is_the_429_page(client, settings):
    settings.ESSAY_VOTE_RATE_LIMITS = {"essay_vote": "2/h/ip,100/h/key"}
    phase = vote_phase()
    essays = [published(phase) for _ in range(3)]
    for essay in essays:
        client.force_login(voter())
        response = client.post(reverse("essays:vote", args=[essay.code]), REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 429
    assert "quá nhiều lần trong một giờ" in response.content.decode()
    assert EssayVote.objects.count() == 2
    client.force_login(voter())  # another address is not limited
    assert client.post(reverse("essays:vote", args=[essays[2].code]), REMOTE_ADDR="203.0.113.10").status_code == 302
    assert EssayVote.objects.count() == 3


def test_limit_per_number(client, settings):
    settings.ESSAY_VOTE_RATE_LIMITS = {"essay_vote": "100/h/ip,2/h/key"}
    phase = vote_phase()
    person = voter()
    client.force_login(person)
    codes = [published(phase).code for _ in range(3)]
    statuses = [
        client.post(reverse("essays:vote", args=[code]), REMOTE_ADDR=f"198.51.100.{i}").status_code
        for i, code in enumerate(codes)
    ]
    assert statuses == [302, 302, 429]
    assert EssayVote.objects.filter(phone=person.phone).count() == 2


# --- Results apart ---------------------------------------------------------------------------------


def test_votes_never_enter_the_jurys_scores():
    phase = vote_phase()
    a, b = (EssayFactory(phase=phase, status=EssayStatus.SUBMITTED, eligibility=Eligibility.ELIGIBLE) for _ in range(2))
    round, judges = _round(phase, judges=2)
    judging.round_fill_from_screening(round=round)
    judging.round_assign(round=round)
    for judge in judges:
        for essay, value in ((a, 9), (b, 5)):
            sheet = Assignment.objects.get(judge=judge, essay=essay)
            judging.sheet_save(
                assignment=sheet, judge=judge, points={c.pk: value for c in round.criteria.all()}, comment="", submit=True
            )

    def jury():
        sheets = Assignment.objects.filter(round=round).prefetch_related("scores").order_by("pk")
        weights = essay_selectors.criterion_weights(round.criteria.all())
        totals = [essay_selectors.sheet_total({x.criterion_id: x.points for x in s.scores.all()}, weights) for s in sheets]
        results = [(r.essay.pk, r.mean, r.normalized, r.rank) for r in essay_selectors.round_results(round=round)]
        return totals, results

    before = jury()
    type(b).objects.filter(pk__in=[a.pk, b.pk]).update(published_at=timezone.now())
    b.refresh_from_db()
    for _ in range(5):
        votes.essay_vote(essay=b, user=voter(), ip="10.0.0.2")
    assert jury() == before
    ranking = votes.vote_ranking(phase=phase)
    assert [(r.essay.pk, r.votes) for r in ranking] == [(b.pk, 5), (a.pk, 0)]


def test_ranking_page_apart_from_the_jury(client, django_assert_num_queries):
    phase = vote_phase()
    early = published(phase, submitted_at=timezone.now() - datetime.timedelta(days=3), title="Bài nộp sớm")
    late = published(phase, submitted_at=timezone.now() - datetime.timedelta(days=1), title="Bài nộp muộn")
    hidden = EssayFactory(phase=phase, status=EssayStatus.SUBMITTED, title="Bài chưa đăng")
    for essay in (late, early):
        votes.essay_vote(essay=essay, user=voter(), ip="10.0.0.3")
    url = reverse("essays:votes") + f"?contest={phase.contest.slug}"
    with django_assert_num_queries(QUERIES["essay_votes"]):
        page = client.get(url).content.decode()
    assert "tách riêng với kết quả chấm của Ban Giám khảo" in page
    assert page.index("Bài nộp sớm") < page.index("Bài nộp muộn")  # equal votes: the earlier submission first
    assert hidden.title not in page
    for _ in range(3):
        published(phase)
    with django_assert_num_queries(QUERIES["essay_votes"]):
        client.get(url)
    vote_phase(contest=phase.contest, name="Giai đoạn 2")
    with django_assert_num_queries(QUERIES["essay_votes"] + 1):  # one query a phase
        client.get(url)


def test_titles_are_escaped_on_the_ranking(client):
    phase = vote_phase()
    published(phase, title="<script>alert(1)</script>")
    page = client.get(reverse("essays:votes") + f"?contest={phase.contest.slug}").content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


# --- «Giải bình chọn» and the organizer's page -----------------------------------------------------


def _closed_phase_with_votes():
    now = timezone.now()
    phase = vote_phase(vote_prize=True)
    early = published(phase, submitted_at=now - datetime.timedelta(days=3))
    late = published(phase, submitted_at=now - datetime.timedelta(days=1))
    for essay in (late, early, late, early):
        votes.essay_vote(essay=essay, user=voter(), ip="10.0.0.4")
    type(phase).objects.filter(pk=phase.pk).update(vote_closes_at=now - datetime.timedelta(minutes=1))
    phase.refresh_from_db()
    return phase, early, late


def test_vote_prize_goes_to_the_most_votes_ties_to_the_earlier_submission(organizer):
    phase, early, late = _closed_phase_with_votes()
    prize = votes.vote_prize_draft(phase=phase, by=organizer)
    assert prize.essay == early and prize.votes == 2
    decision = Decision.objects.get(object_type="essays.voteprize", object_id=prize.pk)
    assert decision.data == {"kind": "vote", "essay": early.code, "votes": 2, "tied_with": [late.code]}
    with pytest.raises(votes.VoteError, match="đã được lập"):
        votes.vote_prize_draft(phase=phase, by=organizer)


def test_vote_prize_waits_for_the_close_and_the_plan(organizer):
    open_phase = vote_phase(vote_prize=True)
    published(open_phase)
    with pytest.raises(votes.VoteError, match="sau khi kết thúc"):
        votes.vote_prize_draft(phase=open_phase, by=organizer)
    no_prize = vote_phase()
    with pytest.raises(votes.VoteError, match="không có «Giải bình chọn»"):
        votes.vote_prize_draft(phase=no_prize, by=organizer)
    assert not VotePrize.objects.exists()


@pytest.mark.parametrize(
    "role, see, draft",
    [(None, False, False), (Role.CONTESTANT, False, False), (Role.JUDGE, False, False), (Role.UNIT_OFFICER, False, False),
     (Role.SECRETARIAT, True, False), (Role.ORGANIZER, True, True)],
)  # fmt: skip
def test_the_organizers_page_per_role(client, role, see, draft):
    phase, early, _late = _closed_phase_with_votes()
    if role is not None:
        client.force_login(staff_user(role))
    url = reverse("essays:manage_votes") + f"?contest={phase.contest.slug}"
    response = client.get(url)
    assert response.status_code == (200 if see else 302 if role is None else 403)
    posted = client.post(url, {"phase": phase.pk})
    assert VotePrize.objects.filter(phase=phase, essay=early).exists() == draft
    if see and not draft:
        assert posted.status_code == 403


def test_the_organizers_page_budget(client, organizer, django_assert_num_queries):
    phase, _early, _late = _closed_phase_with_votes()
    client.force_login(organizer)
    url = reverse("essays:manage_votes") + f"?contest={phase.contest.slug}"
    client.get(url)
    with django_assert_num_queries(QUERIES["essay_votes_manage"]):
        page = client.get(url).content.decode()
    assert "Lập «Giải bình chọn»" in page
    vote_phase(contest=phase.contest, name="Giai đoạn 2", vote_prize=True)
    with django_assert_num_queries(QUERIES["essay_votes_manage"] + 1):  # one query a phase
        client.get(url)


# --- Personal data ----------------------------------------------------------------------------------


def test_votes_in_my_data_and_anonymization_removes_the_phone():
    from essays import personal_data

    essay = published(vote_phase())
    person = voter()
    votes.essay_vote(essay=essay, user=person, ip="10.0.0.5")
    sections = {s.key: s for s in personal_data.export(user=person)}
    rows = sections["essay_votes"].rows
    assert len(rows) == 1 and person.phone in rows[0].values() and essay.code in rows[0].values()
    personal_data.anonymize(user=person, label="Người dùng đã ẩn danh")
    vote = EssayVote.objects.get()
    assert vote.phone == "" and vote.ip_address is None
    assert votes.vote_ranking(phase=essay.phase)[0].votes == 1  # still counted
