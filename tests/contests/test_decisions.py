import io

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from openpyxl import load_workbook

from contests.decisions import Action, decision_record
from contests.models import Contest, Decision, DecisionLogError
from tests.budgets import QUERIES
from tests.factories import ContestFactory


@pytest.fixture
def published_contest(db):
    return ContestFactory(status="published")


def test_decision_record_keeps_who_what_why(published_contest, organizer):
    decision = decision_record(action=Action.SEAL, obj=published_contest, by=organizer, reason="  Duyệt tuần 1 ", data={"a": 1})
    decision.refresh_from_db()
    assert (decision.contest, decision.action, decision.actor, decision.reason) == (
        published_contest,
        "seal",
        organizer,
        "Duyệt tuần 1",
    )
    assert decision.object_type == "contests.contest"
    assert decision.object_id == published_contest.pk
    assert decision.actor_name == organizer.get_full_name()
    assert decision.data == {"a": 1}


def test_decision_log_refuses_changes_through_the_model(published_contest, organizer):
    decision = decision_record(action=Action.PUBLISH, obj=published_contest, by=organizer)
    decision.reason = "sửa lại"
    with pytest.raises(DecisionLogError):
        decision.save()
    with pytest.raises(DecisionLogError):
        decision.delete()
    with pytest.raises(DecisionLogError):
        Decision.objects.filter(pk=decision.pk).update(reason="x")
    with pytest.raises(DecisionLogError):
        Decision.objects.filter(pk=decision.pk).delete()
    assert Decision.objects.get(pk=decision.pk).reason == ""


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_decision_log_refuses_raw_sql_update_and_delete_on_postgres(organizer):
    contest = ContestFactory()
    decision = decision_record(action=Action.PUBLISH, obj=contest, by=organizer, reason="công bố")
    for sql in ("UPDATE contests_decision SET reason = 'x' WHERE id = %s", "DELETE FROM contests_decision WHERE id = %s"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [decision.pk])
    assert Decision.objects.get(pk=decision.pk).reason == "công bố"


def _log(contest, organizer, secretariat):
    decision_record(action=Action.SEAL, obj=contest, by=organizer, reason="Duyệt đề tuần 1")
    decision_record(action=Action.PRIZE_INVALID, obj=contest, by=secretariat, reason="Sai đơn vị")
    decision_record(action=Action.DISQUALIFY, obj=contest, by=secretariat, reason="Thi hộ")


@pytest.mark.parametrize("role", ["organizer", "secretariat"])
def test_decision_page_lists_and_filters_for_staff(client, published_contest, organizer, secretariat, role):
    _log(published_contest, organizer, secretariat)
    client.force_login({"organizer": organizer, "secretariat": secretariat}[role])
    url = reverse("reports:decisions")
    html = client.get(url).content.decode()
    assert html.count('data-decision="') == 3
    html = client.get(url, {"action": "prize_invalid"}).content.decode()
    assert html.count('data-decision="') == 1
    assert "Sai đơn vị" in html
    html = client.get(url, {"q": "thi hộ"}).content.decode()
    assert html.count('data-decision="disqualify"') == 1
    html = client.get(url, {"actor": organizer.email}).content.decode()
    assert html.count('data-decision="seal"') == 1


def test_decision_page_is_closed_to_contestants_and_judges(client, published_contest, contestant_user, judge):
    for user in (contestant_user, judge):
        client.force_login(user)
        assert client.get(reverse("reports:decisions")).status_code == 403
        assert client.get(reverse("reports:decisions_export")).status_code == 403


def test_decision_page_queries_do_not_grow_with_the_log(client, published_contest, organizer, secretariat,
                                                        django_assert_max_num_queries):  # fmt: skip
    client.force_login(organizer)
    _log(published_contest, organizer, secretariat)
    with django_assert_max_num_queries(QUERIES["decisions"]) as few:
        client.get(reverse("reports:decisions"))
    for _ in range(10):
        _log(published_contest, organizer, secretariat)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("reports:decisions"))


def test_decision_export_holds_the_filtered_log(client, published_contest, organizer, secretariat):
    _log(published_contest, organizer, secretariat)
    decision_record(action=Action.CLEAR, obj=published_contest, by=secretariat, reason='=HYPERLINK("x")')
    client.force_login(secretariat)
    response = client.get(reverse("reports:decisions_export"), {"action": "clear"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Thời điểm", "Quyết định", "Đối tượng")
    assert len(rows) == 2
    assert rows[1][1] == "Kết luận không có vấn đề"
    assert rows[1][7] == '\'=HYPERLINK("x")'  # typed text never runs as a formula


def test_decision_without_actor_is_the_system(published_contest):
    decision = decision_record(action=Action.PRIZES_DRAFT, obj=published_contest)
    assert decision.actor is None and decision.actor_name == ""
    assert Contest.objects.get(pk=published_contest.pk).decisions.count() == 1


def test_decision_details_are_named_in_vietnamese_on_the_page_and_in_the_export(client, published_contest, secretariat):
    decision_record(
        action=Action.PRIZE_AMEND, obj=published_contest, by=secretariat, reason="Đơn vị xác nhận lại",
        data={"from": {"status": "invalid", "tier": "first"}, "to": {"status": "verified", "tier": "first"}},
    )  # fmt: skip
    decision_record(action=Action.ADVANCE, obj=published_contest, by=secretariat, data={"essays": ["BV-1", "BV-2"]})
    client.force_login(secretariat)
    html = client.get(reverse("reports:decisions")).content.decode()
    assert "trước: xác minh không hợp lệ, giải Nhất; sau: xác minh đã xác minh, giải Nhất" in html
    assert "bài: BV-1, BV-2" in html
    assert "[&#x27;BV-1&#x27;" not in html
    sheet = load_workbook(io.BytesIO(client.get(reverse("reports:decisions_export")).content)).active
    assert "bài: BV-1, BV-2" in [row[8] for row in sheet.iter_rows(min_row=2, values_only=True)]


def test_decided_objects_are_named_in_peoples_words_on_the_page_and_in_the_export(client, published_contest, secretariat):
    from accounts.enums import Role
    from essays.models import Assignment, JudgingRound
    from tests.essays.factories import EssayFactory, EssayPhaseFactory
    from tests.factories import staff_user

    judge = staff_user(Role.JUDGE)
    essay = EssayFactory(phase=EssayPhaseFactory(contest=published_contest), code="BV-007", title="Chi bộ kiểu mẫu")
    judging = JudgingRound.objects.create(phase=essay.phase, name="Vòng sơ khảo", order=1)
    sheet = Assignment.objects.create(round=judging, essay=essay, judge=judge)
    decision_record(action=Action.CLEAR, obj=sheet, by=secretariat, contest=published_contest)
    # a row written before: the developer's «round:essay:judge» snapshot
    Decision.objects.create(contest=published_contest, action=Action.CLEAR, object_type="essays.assignment",
                            object_id=sheet.pk, object_repr=f"{judging.pk}:{essay.pk}:{judge.pk}")  # fmt: skip
    client.force_login(secretariat)

    html = client.get(reverse("reports:decisions")).content.decode()
    rows = list(load_workbook(io.BytesIO(client.get(reverse("reports:decisions_export")).content)).active.values)

    assert "Phân công chấm: Vòng sơ khảo · BV-007 – Chi bộ kiểu mẫu" in html
    assert f"Phân công chấm #{sheet.pk}" in html
    assert f"{judging.pk}:{essay.pk}:{judge.pk}" not in html
    assert judge.email not in html.split('data-table="decisions"')[1].split("Người quyết định")[1]
    assert '<option value="essays.assignment">Phân công chấm</option>' in html
    assert [(r[2], r[3]) for r in rows[1:]] == [
        (f"Phân công chấm #{sheet.pk}", "Phân công chấm"),
        ("Phân công chấm: Vòng sơ khảo · BV-007 – Chi bộ kiểu mẫu", "Phân công chấm"),
    ]
