"""Conflicts of interest declared by a judge: a reason and a confirmation, a recorded decision,
and the organizers' undo (recorded too), never the judge's own."""

import pytest
from django.urls import reverse

from accounts.enums import Role
from contests.models import Decision
from essays import judging
from essays import selectors as essay_selectors
from essays.enums import Eligibility, EssayStatus, JudgingStatus, SheetStatus
from essays.models import Assignment, Criterion, JudgingRound, PanelMember, Score
from essays.services import EssayError
from tests.essays.factories import EssayFactory, EssayPhaseFactory
from tests.factories import UserFactory, staff_user

pytestmark = pytest.mark.django_db

REASON = "Tác giả là đồng nghiệp cùng phòng với tôi"


def _round(*, mode="all", per=2, judges=3, essays=1):
    phase = EssayPhaseFactory()
    for _ in range(essays):
        EssayFactory(phase=phase, status=EssayStatus.SUBMITTED, eligibility=Eligibility.ELIGIBLE)
    round = JudgingRound.objects.create(phase=phase, name="Vòng sơ khảo", assignment_mode=mode, judges_per_essay=per)
    for i, (name, max_points, weight) in enumerate(judging.default_rubric()):
        Criterion.objects.create(round=round, name=name, max_points=max_points, weight=weight, order=i)
    panel = [staff_user(Role.JUDGE) for _ in range(judges)]
    for judge in panel:
        PanelMember.objects.create(round=round, judge=judge)
    judging.round_fill_from_screening(round=round)
    judging.round_assign(round=round)
    return round, panel


def _sheet(round, judge):
    return Assignment.objects.filter(round=round, judge=judge).order_by("pk").first()


@pytest.mark.parametrize("reason", ["", "   ", "x", "quen", "\x00abcdefghijk"])
def test_a_conflict_needs_a_real_reason(reason):
    round, (judge, *_rest) = _round()
    sheet = _sheet(round, judge)
    with pytest.raises(EssayError):
        judging.conflict_declare(assignment=sheet, judge=judge, reason=reason)
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.PENDING
    assert not Decision.objects.filter(action=Decision.Action.CONFLICT).exists()


def test_the_sheet_page_asks_for_a_reason_then_a_confirmation(client):
    round, (judge, *_rest) = _round()
    sheet = _sheet(round, judge)
    client.force_login(judge)
    url = reverse("judging:conflict", args=[sheet.pk])
    page = client.get(reverse("judging:sheet", args=[sheet.pk])).content.decode()
    # Folded away from «Bài tiếp theo», with a required reason.
    assert '<details class="card conflict-box" id="xung-dot">' in page
    assert 'name="reason" rows="3" minlength="10" maxlength="500" required' in page

    # No reason: back to the sheet with a message, nothing declared.
    response = client.post(url, {"reason": ""}, follow=True)
    assert "Cần ghi rõ lý do xung đột lợi ích" in response.content.decode()
    # A reason: a confirmation page, still nothing declared.
    page = client.post(url, {"reason": REASON + " <b>x</b>"}).content.decode()
    assert "data-confirm-conflict" in page and "&lt;b&gt;x&lt;/b&gt;" in page
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.PENDING
    # Confirmed: declared, recorded with the reason, out of the queue.
    response = client.post(url, {"reason": REASON, "confirm": "1"})
    assert response["Location"] == reverse("judging:queue")
    sheet.refresh_from_db()
    assert (sheet.status, sheet.conflict_reason) == (SheetStatus.CONFLICT, REASON)
    decision = Decision.objects.get(action=Decision.Action.CONFLICT)
    assert (decision.actor, decision.reason, decision.object_id) == (judge, REASON, sheet.pk)
    assert client.get(reverse("judging:sheet", args=[sheet.pk])).status_code == 404


def test_a_declared_conflict_drops_the_draft_points_and_comment():
    round, (judge, *_rest) = _round()
    sheet = _sheet(round, judge)
    criterion = round.criteria.first()
    judging.sheet_save(assignment=sheet, judge=judge, points={criterion.pk: 12}, comment="Nháp", submit=False)
    judging.conflict_declare(assignment=sheet, judge=judge, reason=REASON)
    sheet.refresh_from_db()
    assert not Score.objects.filter(assignment=sheet).exists() and sheet.comment == ""


def test_no_conflict_once_the_round_is_closed_nor_on_another_judges_sheet():
    round, (judge, other, _third) = _round()
    sheet = _sheet(round, judge)
    with pytest.raises(EssayError, match="không phải của anh/chị"):
        judging.conflict_declare(assignment=sheet, judge=other, reason=REASON)
    judging.round_close(round=round)
    with pytest.raises(EssayError, match="Vòng chấm không mở"):
        judging.conflict_declare(assignment=sheet, judge=judge, reason=REASON)


def test_an_organizer_undoes_a_conflict_with_a_recorded_decision(client):
    round, (judge, *_rest) = _round()
    sheet = _sheet(round, judge)
    judging.conflict_declare(assignment=sheet, judge=judge, reason=REASON)
    organizer = staff_user(Role.ORGANIZER)
    client.force_login(organizer)
    page = client.get(reverse("judging:manage_round", args=[round.pk])).content.decode()
    undo = reverse("judging:conflict_undo", args=[round.pk, sheet.pk])
    assert "data-conflicts" in page and REASON in page and undo in page

    client.post(undo, {"reason": ""})
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.CONFLICT  # no reason, no undo

    response = client.post(undo, {"reason": "Hội đồng xác minh: không cùng đơn vị"}, follow=True)
    assert "Đã hoàn tác khai báo xung đột lợi ích" in response.content.decode()
    sheet.refresh_from_db()
    assert (sheet.status, sheet.conflict_reason) == (SheetStatus.PENDING, "")
    decision = Decision.objects.get(action=Decision.Action.CONFLICT_UNDO)
    assert (decision.actor, decision.reason, decision.data) == (
        organizer,
        "Hội đồng xác minh: không cùng đơn vị",
        {"declared": REASON},
    )
    assert [row.pk for row in essay_selectors.judge_queue(judge=judge)] == [sheet.pk]

    # The organizers' decision stands: the judge cannot declare the same conflict again.
    with pytest.raises(EssayError, match="Ban Tổ chức đã xem xét"):
        judging.conflict_declare(assignment=sheet, judge=judge, reason=REASON)


def test_only_organizers_undo_and_never_their_own_declaration(client):
    round, (judge, *_rest) = _round()
    both = UserFactory(roles=[Role.ORGANIZER, Role.JUDGE], is_staff=True)
    PanelMember.objects.create(round=round, judge=both)
    judging.round_assign(round=round)
    mine = _sheet(round, both)
    judging.conflict_declare(assignment=mine, judge=both, reason=REASON)
    theirs = _sheet(round, judge)
    judging.conflict_declare(assignment=theirs, judge=judge, reason=REASON)

    with pytest.raises(EssayError, match="chính mình"):
        judging.conflict_undo(assignment=mine, by=both, reason="Tôi đổi ý")
    for user in (judge, staff_user(Role.SECRETARIAT)):
        with pytest.raises(EssayError, match="Chỉ Ban Tổ chức"):
            judging.conflict_undo(assignment=theirs, by=user, reason="Không có xung đột")
        client.force_login(user)
        assert client.post(reverse("judging:conflict_undo", args=[round.pk, theirs.pk]), {"reason": "x"}).status_code == 403
    theirs.refresh_from_db()
    assert theirs.status == SheetStatus.CONFLICT
    assert not Decision.objects.filter(action=Decision.Action.CONFLICT_UNDO).exists()


def test_undo_withdraws_the_untouched_replacement_so_the_essay_keeps_n_judges():
    round, panel = _round(mode="per_essay", per=2, judges=3)
    first, second = Assignment.objects.filter(round=round).order_by("pk")
    judging.conflict_declare(assignment=first, judge=first.judge, reason=REASON)
    replacement = Assignment.objects.filter(round=round).exclude(pk__in=[first.pk, second.pk]).get()
    assert replacement.judge not in (first.judge, second.judge)
    declared = Decision.objects.get(action=Decision.Action.CONFLICT)
    assert declared.data == {"replacement_sheet": replacement.pk}

    judging.conflict_undo(assignment=first, by=staff_user(Role.ORGANIZER), reason="Không có quan hệ")

    active = Assignment.objects.filter(round=round).exclude(status=SheetStatus.CONFLICT)
    assert set(active.values_list("pk", flat=True)) == {first.pk, second.pk}
    decision = Decision.objects.get(action=Decision.Action.CONFLICT_UNDO)
    assert decision.data["replacement_removed"] == replacement.pk
    assert not Assignment.objects.filter(pk=replacement.pk).exists()


def test_undo_is_refused_once_the_replacement_has_started_scoring():
    round, panel = _round(mode="per_essay", per=2, judges=3)
    first, _second = Assignment.objects.filter(round=round).order_by("pk")
    judging.conflict_declare(assignment=first, judge=first.judge, reason=REASON)
    replacement = Assignment.objects.filter(round=round, status=SheetStatus.PENDING).order_by("-pk").first()
    criterion = round.criteria.first()
    judging.sheet_save(assignment=replacement, judge=replacement.judge, points={criterion.pk: 5}, comment="", submit=False)

    with pytest.raises(EssayError, match="đã có đủ 2 giám khảo đang chấm"):
        judging.conflict_undo(assignment=first, by=staff_user(Role.ORGANIZER), reason="Không có quan hệ")
    first.refresh_from_db()
    assert first.status == SheetStatus.CONFLICT


def test_undo_is_refused_after_the_round_closes():
    round, (judge, *_rest) = _round()
    sheet = _sheet(round, judge)
    judging.conflict_declare(assignment=sheet, judge=judge, reason=REASON)
    judging.round_close(round=round)
    assert JudgingRound.objects.get(pk=round.pk).status == JudgingStatus.CLOSED
    with pytest.raises(EssayError, match="Vòng chấm không mở"):
        judging.conflict_undo(assignment=sheet, by=staff_user(Role.ORGANIZER), reason="Không có quan hệ")
