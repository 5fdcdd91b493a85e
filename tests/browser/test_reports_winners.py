import datetime
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from accounts.enums import Role
from quiz.models import Prize, Round
from quiz.services.attempts import attempt_start, attempt_submit
from quiz.services.prizes import round_prizes_draft
from tests.browser.conftest import assert_fits_phone
from tests.factories import contestant, staff_user
from tests.quiz.factories import answer_all, sealed_round

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_secretary_verifies_winners_and_downloads_the_award_list(page, login):
    round = sealed_round(prizes_first=1, prizes_second=1, prizes_third=1, prizes_consolation=0)
    people = [contestant(user__full_name=name) for name in ("Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung")]
    for right, user in zip((20, 19, 18, 17), people):
        attempt = attempt_start(round=round, user=user)
        attempt_submit(attempt=attempt, user=user, answers=answer_all(attempt, right=right))
    Round.objects.filter(pk=round.pk).update(closes_at=timezone.now() - datetime.timedelta(seconds=1))
    round_prizes_draft(round=Round.objects.get(pk=round.pk))
    secretary = staff_user(Role.SECRETARIAT)
    login(secretary.email)

    page.goto(f"{page.base_url}/reports/rounds/{round.pk}/winners/")
    assert_fits_phone(page)
    # Trần Thị Bình used someone else's account: not valid, with the reason; Phạm Thị Dung moves up.
    binh = page.locator(f"[data-winner='{people[1].email}']")
    binh.get_by_label("Ghi chú (bắt buộc nếu không hợp lệ)").fill("Đơn vị xác nhận không phải người dự thi")
    binh.get_by_role("button", name="Không hợp lệ").click()
    expect(page.locator(f"[data-winner='{people[3].email}']")).to_be_visible()
    for user in (people[0], people[2], people[3]):
        page.locator(f"[data-winner='{user.email}']").get_by_role("button", name="Xác minh hợp lệ").click()
        expect(page.get_by_text(f"Đã ghi kết quả xác minh: {user.full_name}.")).to_be_visible()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Tải danh sách khen thưởng (Excel)").click()
    content = download_info.value.path().read_bytes()
    rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(min_row=2, values_only=True))
    assert [(r[1], r[2]) for r in rows] == [
        ("Giải Nhất", "Nguyễn Văn An"),
        ("Giải Nhì", "Lê Văn Cường"),
        ("Giải Ba", "Phạm Thị Dung"),
    ]
    assert Prize.objects.get(user=people[1]).status == "invalid"
