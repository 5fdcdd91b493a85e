"""A judge on a phone: the button that jumps to the rubric, the running total while typing, and
a confirmation showing the total before the sheet locks."""

import re

import pytest
from playwright.sync_api import expect

from accounts.enums import Role
from essays import judging
from essays.enums import Eligibility, EssayStatus, SheetStatus
from essays.models import Assignment, Criterion, JudgingRound, PanelMember
from tests.browser.conftest import assert_fits_phone
from tests.essays.factories import EssayFactory, EssayPhaseFactory
from tests.factories import staff_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_judge_sees_the_running_total_and_confirms_before_the_sheet_locks(page, login):
    phase = EssayPhaseFactory()
    for _ in range(2):
        EssayFactory(phase=phase, status=EssayStatus.SUBMITTED, eligibility=Eligibility.ELIGIBLE, body="Đoạn văn. " * 600)
    round = JudgingRound.objects.create(phase=phase, name="Vòng sơ khảo", order=1)
    Criterion.objects.create(round=round, name="Bám sát chủ đề", max_points=20, order=0)
    Criterion.objects.create(round=round, name="Văn phong", max_points=20, order=1)
    judge = staff_user(Role.JUDGE)
    PanelMember.objects.create(round=round, judge=judge)
    judging.round_fill_from_screening(round=round)
    judging.round_assign(round=round)
    first, second = Assignment.objects.filter(judge=judge).order_by("essay__code")
    login(judge.email)

    page.goto(f"{page.base_url}/judging/sheets/{first.pk}/")
    jump = page.locator("[data-jump-to-sheet]")
    expect(jump).to_be_in_viewport()  # above a long essay, the rubric is one tap away
    jump.click()
    expect(page.get_by_label("Bám sát chủ đề")).to_be_in_viewport()
    page.get_by_label("Bám sát chủ đề").fill("15")
    total = page.locator("[data-running-total] [data-total]")
    expect(total).to_have_text("15")
    page.get_by_label("Văn phong").fill("12")
    expect(total).to_have_text("27")
    expect(page.locator("[data-filled]")).to_have_text("2")
    assert_fits_phone(page)

    page.get_by_role("button", name="Nộp điểm").click()
    expect(page.locator("[data-confirm-total]")).to_have_text("27/40")
    first.refresh_from_db()
    assert first.status == SheetStatus.DRAFT
    assert_fits_phone(page)
    page.get_by_role("button", name=re.compile("Xác nhận nộp 27 điểm")).click()

    expect(page).to_have_url(re.compile(rf"/judging/sheets/{second.pk}/$"))
    expect(page.get_by_text("Đây là bài tiếp theo cần chấm.")).to_be_visible()
    first.refresh_from_db()
    assert first.status == SheetStatus.SUBMITTED
