import pytest
from django.urls import reverse

from accounts.enums import Role
from essays import judging
from essays import selectors as essay_selectors
from essays.enums import Eligibility, EssayStatus, JudgingStatus, SheetStatus
from essays.models import Assignment, Criterion, EssayPrize, JudgingRound, PanelMember
from essays.services import EssayError
from tests.budgets import QUERIES
from tests.essays.factories import EssayFactory, EssayPhaseFactory
from tests.factories import OrganizationFactory, staff_user

pytestmark = pytest.mark.django_db


def _round(phase, *, order=1, mode="all", per=2, judges=3, judge_units=None):
    round = JudgingRound.objects.create(
        phase=phase, name=f"Vòng {order}", order=order, assignment_mode=mode, judges_per_essay=per
    )
    for i, (name, max_points, weight) in enumerate(judging.default_rubric()):
        Criterion.objects.create(round=round, name=name, max_points=max_points, weight=weight, order=i)
    members = []
    for i in range(judges):
        judge = staff_user(Role.JUDGE)
        unit = (judge_units or {}).get(i)
        members.append(PanelMember.objects.create(round=round, judge=judge, organization=unit))
    return round, [m.judge for m in members]


def _eligible(phase, n, **kwargs):
    return [EssayFactory(phase=phase, status=EssayStatus.SUBMITTED, eligibility=Eligibility.ELIGIBLE, **kwargs) for _ in range(n)]


def _score_all(round, judge, base):
    for i, a in enumerate(Assignment.objects.filter(round=round, judge=judge).order_by("essay__code")):
        points = {c.pk: min(c.max_points, base + i) for c in round.criteria.all()}
        judging.sheet_save(assignment=a, judge=judge, points=points, comment="", submit=True)


def test_every_judge_gets_every_essay_except_their_own_unit():
    phase = EssayPhaseFactory()
    own_unit = OrganizationFactory()
    essays = _eligible(phase, 3)
    conflicted = _eligible(phase, 1, subject_organization=own_unit)[0]
    EssayFactory(phase=phase, status=EssayStatus.SUBMITTED, eligibility=Eligibility.INELIGIBLE)
    round, judges = _round(phase, judge_units={0: own_unit})

    assert judging.round_fill_from_screening(round=round) == 4
    created = judging.round_assign(round=round)
    assert judging.round_assign(round=round) == 0  # safe to run again

    assert created == 4 * 3 - 1
    assert not Assignment.objects.filter(judge=judges[0], essay=conflicted).exists()
    assert Assignment.objects.filter(judge=judges[1]).count() == len(essays) + 1


def test_n_judges_per_essay_spread_evenly():
    phase = EssayPhaseFactory()
    _eligible(phase, 6)
    round, judges = _round(phase, mode="per_essay", per=2, judges=4)
    judging.round_fill_from_screening(round=round)

    judging.round_assign(round=round)

    loads = sorted(Assignment.objects.filter(judge=j).count() for j in judges)
    assert loads == [3, 3, 3, 3]
    assert {Assignment.objects.filter(essay=e).count() for e in round.entries.values_list("essay", flat=True)} == {2}


def test_conflict_declared_leaves_the_queue_and_another_judge_takes_it():
    phase = EssayPhaseFactory()
    essay = _eligible(phase, 1)[0]
    round, judges = _round(phase, mode="per_essay", per=2, judges=3)
    judging.round_fill_from_screening(round=round)
    judging.round_assign(round=round)
    mine = Assignment.objects.filter(essay=essay).order_by("judge_id").first()

    judging.conflict_declare(assignment=mine, judge=mine.judge, reason="Người viết là đồng nghiệp cùng phòng")

    mine.refresh_from_db()
    assert (mine.status, mine.conflict_reason) == (SheetStatus.CONFLICT, "Người viết là đồng nghiệp cùng phòng")
    assert list(essay_selectors.judge_queue(judge=mine.judge)) == []
    assert Assignment.objects.filter(essay=essay).exclude(status=SheetStatus.CONFLICT).count() == 2


def test_submitted_sheet_is_locked_and_scores_are_checked():
    phase = EssayPhaseFactory()
    _eligible(phase, 1)
    round, (judge, *_rest) = _round(phase, judges=1)
    judging.round_fill_from_screening(round=round)
    judging.round_assign(round=round)
    sheet = Assignment.objects.get(judge=judge)
    criteria = list(round.criteria.all())

    with pytest.raises(EssayError, match="chấm đủ mọi tiêu chí"):
        judging.sheet_save(assignment=sheet, judge=judge, points={criteria[0].pk: 10}, comment="", submit=True)
    with pytest.raises(EssayError, match="Điểm không hợp lệ"):
        judging.sheet_save(assignment=sheet, judge=judge, points={criteria[0].pk: 99}, comment="", submit=False)
    judging.sheet_save(assignment=sheet, judge=judge, points={c.pk: 15 for c in criteria}, comment="Tốt", submit=True)
    with pytest.raises(EssayError, match="bị khóa"):
        judging.sheet_save(assignment=sheet, judge=judge, points={c.pk: 1 for c in criteria}, comment="", submit=True)
    judging.sheet_reopen(assignment=sheet)
    judging.sheet_save(assignment=sheet, judge=judge, points={c.pk: 1 for c in criteria}, comment="", submit=True)


def test_results_mean_spread_normalization_and_ties():
    phase = EssayPhaseFactory()
    a, b, c = _eligible(phase, 3)
    round, (lenient, strict) = _round(phase, judges=2)
    judging.round_fill_from_screening(round=round)
    judging.round_assign(round=round)
    given = {lenient: {a: 18, b: 16, c: 16}, strict: {a: 10, b: 6, c: 6}}
    for judge, marks in given.items():
        for essay, value in marks.items():
            sheet = Assignment.objects.get(judge=judge, essay=essay)
            judging.sheet_save(
                assignment=sheet, judge=judge, points={cr.pk: value for cr in round.criteria.all()}, comment="", submit=True
            )

    results = {r.essay: r for r in essay_selectors.round_results(round=round)}

    assert results[a].mean == (90 + 50) / 2
    assert results[a].spread == 40
    assert results[a].rank == 1 and results[a].normalized > 0
    assert results[b].rank == results[c].rank == 2
    assert results[b].tied and results[c].tied and not results[a].tied


def test_advance_top_k_keeps_ties_and_prizes_publish_the_winners():
    phase = EssayPhaseFactory()
    _eligible(phase, 5)
    semi, judges = _round(phase, judges=2)
    final, final_judges = _round(phase, order=2, judges=2)
    judging.round_fill_from_screening(round=semi)
    judging.round_assign(round=semi)
    for i, judge in enumerate(judges):
        _score_all(semi, judge, base=5 + i)
    with pytest.raises(EssayError, match="kết thúc vòng chấm"):
        judging.round_advance(round=semi, to=final, essay_ids=[])
    judging.round_close(round=semi)

    preview = essay_selectors.advance_preview(round=semi, top_k=3)
    judging.round_advance(round=semi, to=final, essay_ids=[r.essay.pk for r in preview])
    judging.round_assign(round=final)
    for i, judge in enumerate(final_judges):
        _score_all(final, judge, base=10 + i)
    judging.round_close(round=final)
    prizes = judging.prizes_award(round=final, plan=[("first", 1), ("second", 2)])

    assert final.entries.count() == 3
    assert [p.tier for p in prizes] == ["first", "second", "second"]
    assert not any(p.essay.published_at for p in EssayPrize.objects.select_related("essay"))
    with pytest.raises(EssayError, match="chưa xác minh hết"):
        judging.prizes_publish(round=final)
    secretary = staff_user(Role.SECRETARIAT)
    first = EssayPrize.objects.get(tier="first")
    judging.prize_verify(prize=first, by=secretary, valid=False, note="Bài đã đăng báo trước đó")
    # The prize list moves up: 2 essays remain, one first prize and one second.
    remaining = EssayPrize.objects.exclude(status="invalid").order_by("rank")
    assert [p.tier for p in remaining] == ["first", "second"]
    for prize in remaining:
        judging.prize_verify(prize=prize, by=secretary, valid=True)
    assert judging.prizes_publish(round=final) == 2
    assert [p.essay.published_at is not None for p in remaining.select_related("essay")] == [True, True]
    first.essay.refresh_from_db()
    assert first.essay.published_at is None


def test_judge_sees_code_and_text_but_never_authors_or_units(client):
    phase = EssayPhaseFactory()
    essay = _eligible(phase, 1, title="Bài về chi bộ")[0]
    essay.authors.update(name="Tác Giả Bí Mật")
    round, (judge, other) = _round(phase, judges=2)
    judging.round_fill_from_screening(round=round)
    judging.round_assign(round=round)
    mine = Assignment.objects.get(judge=judge)
    theirs = Assignment.objects.get(judge=other)
    judging.sheet_save(
        assignment=theirs, judge=other, points={c.pk: 17 for c in round.criteria.all()}, comment="Bí mật", submit=True
    )
    client.force_login(judge)

    html = client.get(reverse("judging:sheet", args=[mine.pk])).content.decode()

    assert essay.code in html and "Bài về chi bộ" in html
    assert "Tác Giả Bí Mật" not in html
    assert essay.subject_organization.name not in html
    assert essay.submitter.full_name not in html
    assert 'value="17"' not in html and "Bí mật" not in html
    assert client.get(reverse("judging:sheet", args=[theirs.pk])).status_code == 404


def test_judge_scores_through_the_portal(client):
    phase = EssayPhaseFactory()
    _eligible(phase, 2)
    round, (judge,) = _round(phase, judges=1)
    judging.round_fill_from_screening(round=round)
    judging.round_assign(round=round)
    client.force_login(judge)
    sheet = Assignment.objects.filter(judge=judge).first()
    data = {f"c{c.pk}": "15" for c in round.criteria.all()} | {"comment": "Bài viết tốt", "submit": "1"}

    confirmation = client.post(reverse("judging:sheet", args=[sheet.pk]), data)
    response = client.post(
        reverse("judging:sheet", args=[sheet.pk]), {"submit": "1", "confirm": "1", "version": confirmation.context["version"]}
    )

    assert response["Location"] == reverse("judging:sheet", args=[Assignment.objects.exclude(pk=sheet.pk).get(judge=judge).pk])
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.SUBMITTED
    assert "Đã nộp điểm 1/2 bài." in client.get(reverse("judging:queue")).content.decode()


def test_queue_query_count_is_constant(client, django_assert_num_queries):
    phase = EssayPhaseFactory()
    _eligible(phase, 1)
    round, (judge,) = _round(phase, judges=1)
    judging.round_fill_from_screening(round=round)
    judging.round_assign(round=round)
    client.force_login(judge)
    client.get(reverse("judging:queue"))
    with django_assert_num_queries(QUERIES["judge_queue"]):
        client.get(reverse("judging:queue"))
    _eligible(phase, 3)
    judging.round_fill_from_screening(round=round)
    judging.round_assign(round=round)
    with django_assert_num_queries(QUERIES["judge_queue"]):
        client.get(reverse("judging:queue"))


def test_results_page_for_organizers(client):
    phase = EssayPhaseFactory()
    _eligible(phase, 2)
    round, _judges = _round(phase, judges=1)
    client.force_login(staff_user(Role.ORGANIZER))
    client.post(reverse("judging:manage_action", args=[round.pk, "fill"]))
    client.post(reverse("judging:manage_action", args=[round.pk, "assign"]))
    round.refresh_from_db()
    assert round.status == JudgingStatus.OPEN
    assert Assignment.objects.count() == 2
    assert "Kết quả" in client.get(reverse("judging:manage_round", args=[round.pk])).content.decode()


def test_the_round_page_offers_its_actions_only_to_who_may_run_them(client):
    """The secretariat follows a judging round but runs none of its actions
    (`essays.run_judging`): the page hands it no form it would be refused."""
    phase = EssayPhaseFactory()
    round, _judges = _round(phase, judges=1)
    action = reverse("judging:manage_action", args=[round.pk, "fill"])
    client.force_login(staff_user(Role.SECRETARIAT))
    page = client.get(reverse("judging:manage_round", args=[round.pk])).content.decode()
    assert "Kết quả" in page and action not in page
    assert client.post(action).status_code == 403
    client.force_login(staff_user(Role.ORGANIZER))
    assert action in client.get(reverse("judging:manage_round", args=[round.pk])).content.decode()


def test_published_essays_on_the_public_site(client):
    from django.utils import timezone

    phase = EssayPhaseFactory()
    essay = EssayFactory(
        phase=phase, status=EssayStatus.SUBMITTED, published_at=timezone.now(), body="Nội dung <script>x()</script>"
    )
    hidden = EssayFactory(phase=phase, status=EssayStatus.SUBMITTED)  # not published
    client.get("/")
    html = client.get(reverse("essays:index")).content.decode()
    assert essay.title in html
    assert hidden.title not in html
    page = client.get(reverse("essays:public", args=[essay.code])).content.decode()
    assert "<script>x()" not in page
    assert client.get(reverse("essays:public", args=["BV-0000-9999"])).status_code == 404


def test_organizer_reopens_a_sheet_in_the_admin(client):
    phase = EssayPhaseFactory()
    _eligible(phase, 1)
    round, (judge,) = _round(phase, judges=1)
    judging.round_fill_from_screening(round=round)
    judging.round_assign(round=round)
    sheet = Assignment.objects.get()
    judging.sheet_save(assignment=sheet, judge=judge, points={c.pk: 10 for c in round.criteria.all()}, comment="", submit=True)
    client.force_login(staff_user(Role.ORGANIZER))

    client.post("/admin/essays/assignment/", {"action": "reopen", "_selected_action": [sheet.pk]})

    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.DRAFT


def test_top_k_larger_than_the_round_takes_every_scored_essay():
    phase = EssayPhaseFactory()
    _eligible(phase, 2)
    round, (judge,) = _round(phase, judges=1)
    judging.round_fill_from_screening(round=round)
    judging.round_assign(round=round)
    _score_all(round, judge, base=5)
    assert len(essay_selectors.advance_preview(round=round, top_k=30)) == 2


def test_a_judges_comment_is_clean_text_within_its_limit():
    phase = EssayPhaseFactory()
    _eligible(phase, 1)
    round, judges = _round(phase, judges=1)
    judging.round_fill_from_screening(round=round)
    judging.round_assign(round=round)
    sheet = Assignment.objects.get(round=round)
    with pytest.raises(EssayError, match="tối đa 5000"):
        judging.sheet_save(assignment=sheet, judge=judges[0], points={}, comment="x" * 5001, submit=False)
    with pytest.raises(EssayError, match="không được phép"):
        judging.sheet_save(assignment=sheet, judge=judges[0], points={}, comment="tốt\u202e", submit=False)
    judging.sheet_save(assignment=sheet, judge=judges[0], points={}, comment="  Bài viết tốt.  ", submit=False)
    assert Assignment.objects.get(pk=sheet.pk).comment == "Bài viết tốt."
