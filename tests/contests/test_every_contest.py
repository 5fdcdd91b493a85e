"""Every contest: the chooser, ?contest=<slug>, the contest list, archived contests read-only
with their results public, and «Sao chép cuộc thi»."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from contests import copying as copy_module
from contests.copying import contest_copy
from contests.enums import ContestStatus
from contests.models import FAQ, Contest, Decision, ReferenceDocument
from contests.rules import ContestReadOnly, contest_is_writable
from essays import services as essay_services
from essays.models import Criterion, EssayPhase, JudgingRound, PanelMember
from essays.services import EssayError
from quiz import copying as quiz_copying
from quiz.errors import QuizError
from quiz.models import Attempt, BlueprintItem, Prize, Round, RoundQuestion
from quiz.services.attempts import attempt_start, attempt_submit
from quiz.services.prizes import prize_verify, round_prizes_draft, round_publish_results
from tests.budgets import QUERIES
from tests.essays.factories import EssayPhaseFactory
from tests.factories import ContestFactory, contestant, staff_user
from tests.quiz.factories import FieldFactory, answer_all, sealed_round

pytestmark = pytest.mark.django_db


def _archive(contest):
    Contest.objects.filter(pk=contest.pk).update(status=ContestStatus.ARCHIVED)
    contest.refresh_from_db()
    return contest


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- the predicate -------------------------------------------------------------------------------


@pytest.mark.parametrize(("status", "writable"), [("draft", True), ("published", True), ("archived", False)])
def test_contest_is_writable_only_refuses_archived(status, writable):
    assert contest_is_writable(ContestFactory(status=status)) is writable


# --- the chooser and ?contest= -------------------------------------------------------------------


def test_round_list_without_parameter_is_the_current_contest(client):
    old = ContestFactory(starts_on=datetime.date(2020, 1, 1), ends_on=datetime.date(2020, 3, 1))
    sealed_round(contest=old, name="Tuần cũ")
    _archive(old)
    current = ContestFactory()
    sealed_round(contest=current, name="Tuần năm nay")
    html = client.get("/quiz/").content.decode()
    assert "Tuần năm nay" in html
    assert "Tuần cũ" not in html
    assert f'value="{old.slug}"' in html  # the chooser lists the archived contest


def test_round_list_with_parameter_shows_that_contest_and_keeps_it_in_links(client, contestant_user):
    old = ContestFactory(starts_on=datetime.date(2020, 1, 1))
    sealed_round(contest=old, name="Tuần cũ")
    _archive(old)
    ContestFactory()
    client.force_login(contestant_user)
    html = client.get(f"/quiz/?contest={old.slug}").content.decode()
    assert "Tuần cũ" in html
    assert f"/quiz/my-results/?contest={old.slug}" in html
    assert "Cuộc thi đã kết thúc và được lưu trữ" in html


def test_draft_contest_is_not_public_but_reports_may_choose_it(client, secretariat):
    ContestFactory()
    draft = ContestFactory(status="draft")
    assert client.get(f"/quiz/?contest={draft.slug}").status_code == 404
    assert client.get(f"/stats/?contest={draft.slug}").status_code == 404
    client.force_login(secretariat)
    assert client.get(f"/reports/?contest={draft.slug}").status_code == 200


def test_unknown_contest_is_not_found(client):
    ContestFactory()
    assert client.get("/essays/?contest=khong-co").status_code == 404


def test_contest_list_sorts_open_upcoming_archived(client, django_assert_max_num_queries):
    today = datetime.date.today()
    ContestFactory(name="Đang mở")
    ContestFactory(name="Sắp tới", starts_on=today + datetime.timedelta(days=30), ends_on=today + datetime.timedelta(days=90))
    ContestFactory(name="Năm ngoái", status="archived")
    ContestFactory(name="Bản nháp", status="draft")
    with django_assert_max_num_queries(QUERIES["contest_list"]):
        html = client.get("/contests/").content.decode()
    assert html.index("Đang mở") < html.index("Sắp tới") < html.index("Năm ngoái")
    assert "Bản nháp" not in html


@pytest.mark.parametrize("url", ["/quiz/", "/stats/", "/essays/"])
def test_pages_query_count_is_constant_per_contest(client, url):
    ContestFactory()
    counts = []
    for size in (1, 3):
        old = ContestFactory(starts_on=datetime.date(2020, 1, 1))
        for n in range(size):
            opens = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC) + datetime.timedelta(days=7 * n)
            sealed_round(contest=old, pool_size=4, fields=1, questions_per_attempt=4, number=n + 1, opens_at=opens,
                         closes_at=opens + datetime.timedelta(days=7))  # fmt: skip
        _archive(old)
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"{url}?contest={old.slug}").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --- archived: results public, writes refused ------------------------------------------------------


def _played_round(contest, organizer):
    """A round a contestant played, closed since."""
    round = sealed_round(contest=contest, pool_size=4, fields=1, questions_per_attempt=4, organizer=organizer)
    player = contestant()
    attempt = attempt_start(round=round, user=player)
    attempt_submit(attempt=attempt, user=player, answers=answer_all(attempt, right=3))
    Round.objects.filter(pk=round.pk).update(closes_at=timezone.now())
    round.refresh_from_db()
    return round


def test_archived_contest_keeps_leaderboard_and_stats_public(client, organizer):
    contest = ContestFactory()
    round = _played_round(contest, organizer)
    for prize in round_prizes_draft(round=round, by=organizer):
        prize_verify(prize=prize, by=staff_user("secretariat"), valid=True)
    round_publish_results(round=round, by=organizer)
    _archive(contest)
    board = client.get(f"/quiz/rounds/{round.pk}/leaderboard/").content.decode()
    assert Prize.objects.get(round=round).user.full_name in board
    assert client.get(f"/stats/?contest={contest.slug}").status_code == 200
    assert client.get(f"/contests/{contest.slug}/").status_code == 200


def test_archived_contest_refuses_a_start_with_a_message(client, contestant_user):
    contest = ContestFactory()
    round = sealed_round(contest=contest, pool_size=20, fields=2)
    _archive(contest)
    client.force_login(contestant_user)
    page = client.get(f"/quiz/rounds/{round.pk}/").content.decode()
    assert f'action="/quiz/rounds/{round.pk}/start/"' not in page
    response = client.post(f"/quiz/rounds/{round.pk}/start/")
    assert response.status_code == 302
    assert any("lưu trữ" in m for m in _messages(response))
    assert not Attempt.objects.exists()
    with pytest.raises(QuizError, match="lưu trữ"):  # the service refuses too, whoever calls it
        attempt_start(round=round, user=contestant_user)


def test_archived_contest_refuses_decisions_from_any_view(client, organizer):
    contest = ContestFactory()
    round = _played_round(contest, organizer)
    _archive(contest)
    before = Decision.objects.count()
    client.force_login(organizer)
    response = client.post(f"/quiz/manage/rounds/{round.pk}/prizes/", HTTP_REFERER=f"/quiz/manage/rounds/{round.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"/quiz/manage/rounds/{round.pk}/"
    assert any("lưu trữ" in m for m in _messages(response))
    assert Decision.objects.count() == before
    assert not round.prizes.exists()
    with pytest.raises(ContestReadOnly):
        round_prizes_draft(round=round, by=organizer)


def test_archived_contest_refuses_essays_and_judging(contestant_user):
    phase = EssayPhaseFactory()
    _archive(phase.contest)
    with pytest.raises(EssayError, match="lưu trữ"):
        essay_services.essay_save(essay=None, phase=phase, submitter=contestant_user, authors=[], title="Bài")
    judging = JudgingRound.objects.create(phase=phase, name="Sơ khảo")
    from essays import judging as essay_judging

    with pytest.raises(EssayError, match="lưu trữ"):
        essay_judging.round_fill_from_screening(round=judging)


def test_admin_shows_archived_round_read_only_and_refuses_a_post(client):
    admin_user = staff_user("organizer", is_superuser=True)
    contest = ContestFactory()
    round = sealed_round(contest=contest, pool_size=4, fields=1, questions_per_attempt=4)
    _archive(contest)
    client.force_login(admin_user)
    url = f"/admin/quiz/round/{round.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    response = client.post(url, {"name": "Đổi tên"})
    assert response.status_code == 302
    assert any("lưu trữ" in m for m in _messages(response))
    round.refresh_from_db()
    assert round.name != "Đổi tên"
    assert client.post(f"/admin/quiz/round/{round.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Round.objects.filter(pk=round.pk).exists()


# --- «Sao chép cuộc thi» ---------------------------------------------------------------------------


def _concrete(model) -> set[str]:
    return {f.name for f in model._meta.concrete_fields}


@pytest.mark.parametrize("part", copy_module.parts(), ids=lambda part: part.model._meta.label)
def test_copy_classifies_every_field(part):
    """A field added later must be named as copied, shifted or left out, on purpose."""
    named = [*part.copied, *part.shifted, *part.left]
    assert set(named) == _concrete(part.model)
    assert len(named) == len(set(named))


def test_copy_declares_every_part_of_a_contest():
    """The parts declare theirs on their AppConfigs (`contest_copy`); the copy finds them all."""
    models = [part.model for part in copy_module.parts()]
    assert models == [Contest, ReferenceDocument, FAQ, Round, BlueprintItem, EssayPhase, JudgingRound, Criterion]


def _rich_contest(organizer):
    source = ContestFactory(
        summary="Giới thiệu", rules="## Thể lệ", hotline="0216", contact_email="btc@example.com", contact_address="Yên Bái",
        organizer_name="Đảng ủy Khối",
    )  # fmt: skip
    ReferenceDocument.objects.create(contest=source, title="Điều lệ Đảng", file="documents/2026/dieu-le.pdf", sort_order=2)
    FAQ.objects.create(contest=source, question="Thi mấy lần?", answer="Nhiều lần.", sort_order=1)
    field = FieldFactory()
    round = sealed_round(
        contest=source, pool_size=8, fields=1, questions_per_attempt=8, organizer=organizer, max_attempts=5, prizes_first=2
    )
    BlueprintItem.objects.filter(round=round).delete()
    BlueprintItem.objects.bulk_create([BlueprintItem(round=round, field=field, count=3)])
    phase = EssayPhaseFactory(contest=source, min_words=500, max_words=2500)
    judging = JudgingRound.objects.create(phase=phase, name="Chung khảo", order=2, judges_per_essay=5,
                                          deadline=phase.closes_at + datetime.timedelta(days=10))  # fmt: skip
    Criterion.objects.create(round=judging, name="Nội dung", max_points=40, weight=2, order=1)
    PanelMember.objects.create(round=judging, judge=staff_user("judge"))
    return source, round, phase, judging


def test_copy_makes_a_draft_with_every_planned_field_shifted(organizer):
    source, round, phase, judging = _rich_contest(organizer)
    starts_on = source.starts_on + datetime.timedelta(days=364)
    new = contest_copy(source=source, name="Cuộc thi năm sau", slug="nam-sau", starts_on=starts_on)
    delta = datetime.timedelta(days=364)
    assert (new.status, new.name, new.slug, new.starts_on, new.ends_on) == (
        "draft",
        "Cuộc thi năm sau",
        "nam-sau",
        starts_on,
        source.ends_on + delta,
    )
    for name in copy_module.CONTEST_FIELDS:
        assert getattr(new, name) == getattr(source, name), name
    doc = new.documents.get()
    assert (doc.title, doc.file.name, doc.sort_order) == ("Điều lệ Đảng", "documents/2026/dieu-le.pdf", 2)
    assert list(new.faqs.values_list("question", "answer", "sort_order")) == [("Thi mấy lần?", "Nhiều lần.", 1)]
    new_round = new.rounds.get()
    for name in quiz_copying.ROUND_FIELDS:
        assert getattr(new_round, name) == getattr(round, name), name
    assert new_round.opens_at - round.opens_at == delta
    assert new_round.closes_at - round.closes_at == delta
    assert (new_round.approved_at, new_round.results_published_at, new_round.full_score_actual) == (None, None, None)
    assert not RoundQuestion.objects.filter(round=new_round).exists()
    assert not hasattr(new_round, "seal") or not Round.objects.filter(pk=new_round.pk, seal__isnull=False).exists()
    assert list(new_round.blueprint.values_list("field_id", "count")) == list(round.blueprint.values_list("field_id", "count"))
    new_phase = new.essay_phases.get()
    assert (new_phase.name, new_phase.min_words, new_phase.max_words) == (phase.name, 500, 2500)
    assert new_phase.opens_at - phase.opens_at == delta
    new_judging = new_phase.judging_rounds.get()
    assert (new_judging.name, new_judging.order, new_judging.judges_per_essay, new_judging.status) == (
        "Chung khảo",
        2,
        5,
        "draft",
    )
    assert new_judging.deadline - judging.deadline == delta
    assert list(new_judging.criteria.values_list("name", "max_points", "weight", "order")) == [("Nội dung", 40, 2, 1)]


def test_copy_takes_nothing_personal(organizer, contestant_user):
    source, round, phase, judging = _rich_contest(organizer)
    attempt_start(round=round, user=contestant_user)
    new = contest_copy(source=source, name="Năm sau", slug="nam-sau", starts_on=source.starts_on + datetime.timedelta(days=364))
    assert not Attempt.objects.filter(round__contest=new).exists()
    assert not PanelMember.objects.filter(round__phase__contest=new).exists()
    assert not Decision.objects.filter(contest=new).exists()
    assert not new.essay_phases.get().essays.exists()
    new_round = new.rounds.get()
    assert (new_round.approved_by, new_round.results_published_by) == (None, None)


def test_copy_page_is_for_organizers_and_refuses_a_taken_slug(client, organizer, secretariat):
    source, *_ = _rich_contest(organizer)
    url = f"/reports/contests/{source.pk}/copy/"
    client.force_login(secretariat)
    assert client.get(url).status_code == 403
    client.force_login(organizer)
    page = client.get(url).content.decode()
    assert str(source.starts_on.year + 1) in page
    taken = client.post(url, {"name": "Năm sau", "slug": source.slug, "starts_on": "2030-01-05"})
    assert "đã được một cuộc thi khác dùng" in taken.content.decode()
    done = client.post(url, {"name": "Năm sau", "slug": "nam-sau-2030", "starts_on": "2030-01-05"})
    new = Contest.objects.get(slug="nam-sau-2030")
    assert done["Location"] == f"/admin/contests/contest/{new.pk}/change/"
    assert new.status == "draft"


def test_admin_action_leads_to_the_copy_page(client):
    admin_user = staff_user("organizer", is_superuser=True)
    source = ContestFactory()
    client.force_login(admin_user)
    response = client.post("/admin/contests/contest/", {"action": "copy_contest", "_selected_action": [source.pk]})
    assert response["Location"] == f"/reports/contests/{source.pk}/copy/"
