"""What the jury scored and what was archived cannot move silently (essays.freeze, the archived
contest's admin): the staff member in the admin, the same write through the model and through a
QuerySet, and the one way left to change a scored rubric (rubric_amend, recorded)."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from accounts.enums import Role
from audit.verification import verify_results
from contests.enums import ContestStatus
from contests.models import FAQ, Contest, Decision, ReferenceDocument
from contests.rules import ContestReadOnly
from essays import judging
from essays import selectors as essay_selectors
from essays.enums import Eligibility, EssayStatus
from essays.freeze import FrozenError
from essays.models import Criterion, Essay, EssayAuthor, EssayPhase, JudgingRound, PanelMember
from essays.services import EssayError, essay_save, essay_screen
from tests.admin.conftest import make_user
from tests.essays.factories import EssayFactory, EssayPhaseFactory
from tests.factories import ContestFactory, staff_user

pytestmark = pytest.mark.django_db

RUBRIC_REFUSED = "Vòng chấm đã có phiếu chấm được nộp"
ESSAY_REFUSED = "Bài viết đã qua sơ loại"
ARCHIVED = "Cuộc thi này đã kết thúc và được lưu trữ"


@pytest.fixture
def scored():
    """A closed judging round of one essay, scored by one judge on two criteria (weights 1):
    6 + 6 points, a mean of 12.0."""
    phase = EssayPhaseFactory()
    essay = EssayFactory(phase=phase, status=EssayStatus.SUBMITTED, eligibility=Eligibility.ELIGIBLE)
    round = JudgingRound.objects.create(phase=phase, name="Vòng chung khảo", order=1)
    first = Criterion.objects.create(round=round, name="Bám sát chủ đề", max_points=10, weight=1, order=0)
    second = Criterion.objects.create(round=round, name="Văn phong", max_points=10, weight=1, order=1)
    judge = staff_user(Role.JUDGE)
    PanelMember.objects.create(round=round, judge=judge)
    judging.round_fill_from_screening(round=round)
    judging.round_assign(round=round)
    sheet = round.assignments.get()
    judging.sheet_save(assignment=sheet, judge=judge, points={first.pk: 6, second.pk: 6}, comment="", submit=True)
    judging.round_close(round=round)
    return {"round": round, "first": first, "second": second, "essay": essay}


def _mean(round):
    return next(r.mean for r in essay_selectors.round_results(round=round))


def _page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _login(client, role):
    user = make_user("superuser") if role == "superuser" else staff_user(role)
    client.force_login(user)
    return user


# --- 1. The rubric of a scored round --------------------------------------------------------------


def test_organizer_posting_a_changed_weight_on_a_closed_round_is_refused(client, scored):
    _login(client, Role.ORGANIZER)
    round, first = scored["round"], scored["first"]
    url = f"/admin/essays/judginground/{round.pk}/change/"
    page = _page(client, url)
    assert 'name="criteria-0-weight"' not in page  # shown, not editable
    assert "Sửa tiêu chí chấm (có ghi lý do)" in page

    response = client.post(
        url,
        {
            "phase": round.phase_id, "name": round.name, "order": 1, "assignment_mode": "all", "judges_per_essay": 3,
            "criteria-TOTAL_FORMS": 2, "criteria-INITIAL_FORMS": 2, "criteria-0-id": first.pk,
            "criteria-0-round": round.pk, "criteria-0-weight": "1.50",
            "panel-TOTAL_FORMS": 0, "panel-INITIAL_FORMS": 0,
        },
        follow=True,
    )  # fmt: skip

    assert RUBRIC_REFUSED in response.content.decode()
    assert Criterion.objects.get(pk=first.pk).weight == Decimal("1.00")
    assert _mean(round) == 12.0


def test_adding_or_deleting_a_criterion_in_the_admin_is_refused(client, scored):
    _login(client, Role.ORGANIZER)
    round, first = scored["round"], scored["first"]
    url = f"/admin/essays/judginground/{round.pk}/change/"
    for extra in (
        {"criteria-TOTAL_FORMS": 3, "criteria-2-name": "Mới", "criteria-2-max_points": 10, "criteria-2-weight": "5"},
        {"criteria-0-id": first.pk, "criteria-0-DELETE": "on"},
    ):
        data = {"name": round.name, "criteria-TOTAL_FORMS": 2, "criteria-INITIAL_FORMS": 2} | extra
        response = client.post(url, data, follow=True)
        assert RUBRIC_REFUSED in response.content.decode()
    assert list(round.criteria.values_list("pk", "weight")) == [(first.pk, Decimal("1.00")), (scored["second"].pk, 1)]


def test_model_save_and_delete_of_a_scored_criterion_are_refused(scored):
    first = scored["first"]
    first.weight = Decimal("2")
    with pytest.raises(FrozenError):
        first.save()
    with pytest.raises(FrozenError), transaction.atomic():
        Criterion.objects.get(pk=first.pk).delete()
    with pytest.raises(FrozenError):
        Criterion.objects.create(round=scored["round"], name="Mới", max_points=10)
    with pytest.raises(FrozenError), transaction.atomic():
        scored["round"].delete()  # the criteria go with it
    first.refresh_from_db()
    assert (first.weight, _mean(scored["round"])) == (Decimal("1.00"), 12.0)


def test_the_order_of_a_scored_criterion_may_still_move(scored):
    first = scored["first"]
    first.order = 5
    first.save()
    assert Criterion.objects.get(pk=first.pk).order == 5


@pytest.mark.postgres
def test_queryset_update_of_a_scored_rubric_is_refused_by_the_database(scored):
    with pytest.raises(IntegrityError), transaction.atomic():
        Criterion.objects.filter(round=scored["round"]).update(weight=Decimal("1.5"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Criterion.objects.filter(pk=scored["first"].pk)._raw_delete(Criterion.objects.db)
    assert _mean(scored["round"]) == 12.0


def test_a_closed_round_keeps_its_rubric_even_with_every_sheet_reopened(scored):
    judging.sheet_reopen(assignment=scored["round"].assignments.get(), by=staff_user(Role.ORGANIZER))
    first = scored["first"]
    first.weight = Decimal("2")
    with pytest.raises(FrozenError):
        first.save()


def test_a_round_without_submitted_sheets_keeps_an_editable_rubric(client):
    round = JudgingRound.objects.create(phase=EssayPhaseFactory(), name="Vòng sơ khảo", order=1)
    criterion = Criterion.objects.create(round=round, name="Bám sát chủ đề", max_points=10, weight=1)
    criterion.weight = Decimal("2")
    criterion.save()
    _login(client, Role.ORGANIZER)
    page = _page(client, f"/admin/essays/judginground/{round.pk}/change/")
    assert 'name="criteria-0-weight"' in page
    assert Criterion.objects.get(pk=criterion.pk).weight == Decimal("2")


# --- 4. rubric_amend: the one way, recorded ----------------------------------------------------------


def test_rubric_amend_records_the_decision_and_the_means_follow(scored):
    organizer = staff_user(Role.ORGANIZER)
    round, first = scored["round"], scored["first"]

    judging.rubric_amend(
        round=round, changes={first.pk: judging.CriterionChange(weight=Decimal("2"))}, by=organizer,
        reason="Hội đồng thống nhất theo thể lệ",
    )  # fmt: skip

    assert Criterion.objects.get(pk=first.pk).weight == Decimal("2.00")
    assert _mean(round) == 18.0  # 6 × 2 + 6
    decision = Decision.objects.get(action=Decision.Action.RUBRIC_AMEND)
    assert (decision.object_id, decision.actor, decision.reason) == (round.pk, organizer, "Hội đồng thống nhất theo thể lệ")
    label = f"Bám sát chủ đề (#{first.pk})"
    assert decision.data == {
        "from": {label: "trọng số 1.00, điểm tối đa 10"},
        "to": {label: "trọng số 2.00, điểm tối đa 10"},
    }
    report = verify_results(contest_slug=round.phase.contest.slug)
    assert report.ok, report.lines()


def test_rubric_amend_refuses_others_no_reason_and_points_above_the_new_maximum(scored):
    round, first = scored["round"], scored["first"]
    change = {first.pk: judging.CriterionChange(weight=Decimal("2"))}
    with pytest.raises(EssayError, match="Chỉ Ban Tổ chức"):
        judging.rubric_amend(round=round, changes=change, by=staff_user(Role.SECRETARIAT), reason="Sửa")
    with pytest.raises(EssayError, match="Cần ghi lý do"):
        judging.rubric_amend(round=round, changes=change, by=staff_user(Role.ORGANIZER), reason="  ")
    with pytest.raises(EssayError, match="điểm tối đa không thể nhỏ hơn"):
        judging.rubric_amend(
            round=round, changes={first.pk: judging.CriterionChange(max_points=5)}, by=staff_user(Role.ORGANIZER),
            reason="Sửa",
        )  # fmt: skip
    assert Criterion.objects.get(pk=first.pk).weight == Decimal("1.00")
    assert not Decision.objects.filter(action=Decision.Action.RUBRIC_AMEND).exists()


def test_rubric_amend_in_the_admin_asks_a_reason_and_records_it(client, scored):
    round, first, second = scored["round"], scored["first"], scored["second"]
    organizer = _login(client, Role.ORGANIZER)
    url = f"/admin/essays/judginground/{round.pk}/rubric/"
    data = {f"weight_{first.pk}": "2", f"max_points_{first.pk}": 10, f"weight_{second.pk}": "1", f"max_points_{second.pk}": 10}

    without_reason = client.post(url, data)
    assert without_reason.status_code == 200
    assert Criterion.objects.get(pk=first.pk).weight == Decimal("1.00")

    response = client.post(url, data | {"reason": "Biên bản họp hội đồng ngày 12/9"})

    assert response.status_code == 302
    assert _mean(round) == 18.0
    assert Decision.objects.get(action=Decision.Action.RUBRIC_AMEND).actor == organizer


def test_rubric_amend_page_is_for_organizers_only(client, scored):
    _login(client, Role.SECRETARIAT)
    response = client.post(
        f"/admin/essays/judginground/{scored['round'].pk}/rubric/", {"reason": "x", f"weight_{scored['first'].pk}": "3"}
    )
    assert response.status_code == 403
    assert Criterion.objects.get(pk=scored["first"].pk).weight == Decimal("1.00")


# --- 2. A screened essay's content -------------------------------------------------------------------


def test_title_edit_of_a_screened_essay_in_the_admin_is_refused(client):
    _login(client, Role.ORGANIZER)
    essay = EssayFactory(status=EssayStatus.SUBMITTED, eligibility=Eligibility.INELIGIBLE, title="Tên khi sơ loại")
    url = f"/admin/essays/essay/{essay.pk}/change/"
    page = _page(client, url)
    assert 'name="title"' not in page
    assert 'name="body"' not in page
    assert 'name="authors-0-name"' not in page

    response = client.post(url, {"title": "Tên đã sửa", "authors-TOTAL_FORMS": 1, "authors-INITIAL_FORMS": 1}, follow=True)

    assert ESSAY_REFUSED in response.content.decode()
    assert Essay.objects.get(pk=essay.pk).title == "Tên khi sơ loại"


def test_author_edit_of_a_screened_essay_in_the_admin_is_refused(client):
    _login(client, Role.ORGANIZER)
    essay = EssayFactory(status=EssayStatus.SUBMITTED, eligibility=Eligibility.ELIGIBLE)
    author = essay.authors.get()
    data = {
        "authors-TOTAL_FORMS": 1, "authors-INITIAL_FORMS": 1, "authors-0-id": author.pk, "authors-0-essay": essay.pk,
        "authors-0-name": "Người khác", "files-TOTAL_FORMS": 0, "files-INITIAL_FORMS": 0,
    }  # fmt: skip
    response = client.post(f"/admin/essays/essay/{essay.pk}/change/", data, follow=True)
    assert ESSAY_REFUSED in response.content.decode()
    assert EssayAuthor.objects.get(pk=author.pk).name == author.name


def test_screened_essay_model_and_parts_refuse_saves_and_deletes():
    essay = EssayFactory(status=EssayStatus.SUBMITTED, eligibility=Eligibility.ELIGIBLE, title="Tên khi sơ loại")
    essay.title = "Tên đã sửa"
    with pytest.raises(FrozenError):
        essay.save()
    author = essay.authors.get()
    author.name = "Người khác"
    with pytest.raises(FrozenError):
        author.save()
    with pytest.raises(FrozenError), transaction.atomic():
        author.delete()
    with pytest.raises(FrozenError):
        EssayAuthor.objects.create(essay=essay, name="Thêm", organization=author.organization, phone="0912000111")
    essay.refresh_from_db()
    essay.recommended_to_press = True
    essay.save()  # what is not the content still changes
    assert Essay.objects.get(pk=essay.pk).title == "Tên khi sơ loại"


@pytest.mark.postgres
def test_queryset_update_of_a_screened_essay_is_refused_by_the_database():
    essay = EssayFactory(status=EssayStatus.SUBMITTED, eligibility=Eligibility.ELIGIBLE, title="Tên khi sơ loại")
    with pytest.raises(IntegrityError), transaction.atomic():
        Essay.objects.filter(pk=essay.pk).update(body="Nội dung khác")
    pending = EssayFactory(status=EssayStatus.SUBMITTED)
    Essay.objects.filter(pk=pending.pk).update(title="Sửa trước sơ loại")
    assert Essay.objects.get(pk=essay.pk).title == "Tên khi sơ loại"


def test_contestant_edits_until_screening_then_the_service_refuses():
    essay = EssayFactory(status=EssayStatus.SUBMITTED, submitted_at=None)
    author = {"name": "Trần Văn Bút", "organization": essay.subject_organization, "phone": "0912345678"}
    essay_save(essay=essay, phase=essay.phase, submitter=essay.submitter, authors=[author], title="Tên mới")
    assert Essay.objects.get(pk=essay.pk).title == "Tên mới"

    essay_screen(essay=essay, by=staff_user(Role.SECRETARIAT), eligible=True, reasons=[], note="")
    essay.refresh_from_db()

    with pytest.raises(EssayError, match=ESSAY_REFUSED):
        essay_save(essay=essay, phase=essay.phase, submitter=essay.submitter, authors=[author], title="Tên khác")
    assert Essay.objects.get(pk=essay.pk).title == "Tên mới"
    # A changed verdict is still the secretariat's (the content does not move with it).
    essay_screen(essay=essay, by=staff_user(Role.SECRETARIAT), eligible=False, reasons=["off_theme"], note="Lạc đề")
    assert Essay.objects.get(pk=essay.pk).eligibility == Eligibility.INELIGIBLE


# --- 3. An archived contest --------------------------------------------------------------------------


@pytest.fixture
def archived():
    contest = ContestFactory(rules="Thể lệ đã ban hành")
    faq = FAQ.objects.create(contest=contest, question="Ai được dự thi?", answer="Mọi đảng viên.")
    document = ReferenceDocument.objects.create(contest=contest, title="Kế hoạch", file="documents/2026/ke-hoach.pdf")
    phase = EssayPhaseFactory(contest=contest)
    essay = EssayFactory(phase=phase, status=EssayStatus.SUBMITTED, eligibility=Eligibility.ELIGIBLE)
    round = JudgingRound.objects.create(phase=phase, name="Vòng sơ khảo", order=1)
    Contest.objects.filter(pk=contest.pk).update(status=ContestStatus.ARCHIVED)
    return {"contest": Contest.objects.get(pk=contest.pk), "faq": faq, "document": document, "phase": phase, "essay": essay,
            "round": round}  # fmt: skip


def test_archived_contest_page_is_view_only_and_refuses_a_posted_edit(client, archived):
    _login(client, Role.ORGANIZER)
    contest, faq, document = archived["contest"], archived["faq"], archived["document"]
    url = f"/admin/contests/contest/{contest.pk}/change/"
    page = _page(client, url)
    for name in ('name="rules"', 'name="faqs-0-question"', 'name="documents-0-title"', 'name="status"'):
        assert name not in page

    response = client.post(
        url,
        {
            "name": contest.name, "slug": contest.slug, "rules": "Thể lệ đã sửa", "status": "published",
            "faqs-TOTAL_FORMS": 1, "faqs-INITIAL_FORMS": 1, "faqs-0-id": faq.pk, "faqs-0-contest": contest.pk,
            "faqs-0-question": "Câu hỏi đã sửa", "faqs-0-DELETE": "on",
            "documents-TOTAL_FORMS": 1, "documents-INITIAL_FORMS": 1, "documents-0-id": document.pk,
            "documents-0-DELETE": "on",
        },
        follow=True,
    )  # fmt: skip

    assert ARCHIVED in response.content.decode()
    contest.refresh_from_db()
    assert (contest.rules, contest.status) == ("Thể lệ đã ban hành", ContestStatus.ARCHIVED)
    assert FAQ.objects.get(pk=faq.pk).question == "Ai được dự thi?"
    assert ReferenceDocument.objects.filter(pk=document.pk).exists()


@pytest.mark.parametrize(
    "url",
    [
        "/admin/contests/contest/{contest}/delete/",
        "/admin/essays/essayphase/{phase}/delete/",
        "/admin/essays/judginground/{round}/delete/",
        "/admin/essays/judginground/{round}/rubric/",
    ],
)
def test_archived_contest_records_cannot_be_deleted_or_amended(client, archived, url):
    _login(client, "superuser")  # who may delete anything else
    ids = {"contest": archived["contest"].pk, "phase": archived["phase"].pk, "round": archived["round"].pk}
    response = client.post(url.format(**ids), {"post": "yes", "reason": "x"})
    assert response.status_code == 403
    assert EssayPhase.objects.filter(pk=archived["phase"].pk).exists()
    assert JudgingRound.objects.filter(pk=archived["round"].pk).exists()


def test_admin_actions_refuse_an_archived_contests_records(client, archived):
    _login(client, "superuser")
    essay, phase = archived["essay"], archived["phase"]

    publish = client.post("/admin/essays/essay/", {"action": "publish", "_selected_action": [essay.pk]}, follow=True)
    delete = client.post(
        "/admin/essays/essayphase/", {"action": "delete_selected", "_selected_action": [phase.pk], "post": "yes"}, follow=True
    )

    assert ARCHIVED in publish.content.decode()
    assert ARCHIVED in delete.content.decode()
    assert Essay.objects.get(pk=essay.pk).published_at is None
    assert EssayPhase.objects.filter(pk=phase.pk).exists()


def test_archived_contest_copy_still_offered(client, archived):
    _login(client, Role.ORGANIZER)
    contest = archived["contest"]
    response = client.post("/admin/contests/contest/", {"action": "copy_contest", "_selected_action": [contest.pk]})
    assert response.status_code == 302
    assert response["Location"].endswith(f"/{contest.pk}/copy/") or "copy" in response["Location"]


def test_a_new_phase_in_an_archived_contest_is_refused(client, archived):
    _login(client, Role.ORGANIZER)
    data = {
        "contest": archived["contest"].pk, "name": "Giai đoạn 2", "opens_at_0": "2026-01-01", "opens_at_1": "08:00",
        "closes_at_0": "2026-02-01", "closes_at_1": "08:00", "min_words": 300, "max_words": 3000,
    }  # fmt: skip
    response = client.post("/admin/essays/essayphase/add/", data, follow=True)
    assert ARCHIVED in response.content.decode()
    assert not EssayPhase.objects.filter(name="Giai đoạn 2").exists()


def test_archiving_is_final(archived):
    contest = archived["contest"]
    contest.status = ContestStatus.PUBLISHED
    with pytest.raises(ContestReadOnly):
        contest.save()
    assert Contest.objects.get(pk=contest.pk).status == ContestStatus.ARCHIVED


def test_archived_contest_judging_round_and_essay_pages_are_view_only(client, archived):
    _login(client, Role.ORGANIZER)
    round, essay = archived["round"], archived["essay"]
    Criterion.objects.create(round=round, name="Bám sát chủ đề", max_points=10, weight=1)  # archived: only the admin refuses
    round_page = _page(client, f"/admin/essays/judginground/{round.pk}/change/")
    essay_page = _page(client, f"/admin/essays/essay/{essay.pk}/change/")
    assert 'name="criteria-0-weight"' not in round_page
    assert 'name="name"' not in round_page
    assert 'name="recommended_to_press"' not in essay_page
    assert ARCHIVED in round_page
