import re

import pytest
from playwright.sync_api import expect

from quiz.models import Attempt, Option
from tests.browser.conftest import assert_fits_phone
from tests.factories import contestant
from tests.quiz.factories import sealed_round

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _correct_index(item) -> int:
    return next(i for i, oid in enumerate(item.option_ids) if Option.objects.get(pk=oid).is_correct)


def test_contestant_takes_an_attempt_reloads_resumes_and_submits(page, login):
    round = sealed_round(pool_size=40, fields=4, name="Tuần thi thứ hai")
    user = contestant(user__email="thi.sinh@example.com")
    login(user.email)

    page.goto(f"{page.base_url}/quiz/rounds/{round.pk}/")
    page.get_by_role("button", name="Bắt đầu làm bài").click()
    expect(page).to_have_url(re.compile(r"/quiz/attempts/\d+/$"))
    assert_fits_phone(page)
    expect(page.locator("fieldset")).to_have_count(20)
    expect(page.locator("[data-countdown]")).to_have_text(re.compile(r"^1[45]:\d\d$"))

    attempt = Attempt.objects.get(user=user)
    items = list(attempt.items.order_by("position"))
    legends_before = page.locator("legend").all_inner_texts()
    # Answer the first ten: 8 right, 2 wrong. Each choice goes to the server as it is made: the
    # first at once, the ones chosen within the autosave interval (2 s) together in the next request.
    for item in items[:10]:
        index = _correct_index(item) if item.position <= 8 else (_correct_index(item) + 1) % item.option_count
        page.locator(f"#q-{item.position} input[value='{index}']").check()
    expect(page.locator("[data-save-status]")).to_have_text(re.compile(r"^Đã lưu (câu|các câu) (\d+, )*10\.$"))
    expect(page.locator("[data-answered]")).to_have_text("10")
    assert attempt.items.filter(chosen_index__isnull=False).count() == 10  # on the server before the reload

    # The phone reloads (or the network drops and comes back): same questions, same order, answers kept.
    page.reload()
    assert page.locator("legend").all_inner_texts() == legends_before
    expect(page.locator("[data-answered]")).to_have_text("10")
    expect(page.locator("input[type=radio]:checked")).to_have_count(10)

    for item in items[10:]:
        page.locator(f"#q-{item.position} input[value='{_correct_index(item)}']").check()
    page.get_by_role("button", name="Nộp bài").click()

    expect(page).to_have_url(re.compile(r"/quiz/attempts/\d+/result/$"))
    expect(page.locator("[data-score]")).to_have_text("18/20")
    assert_fits_phone(page)
    attempt.refresh_from_db()
    assert (attempt.status, attempt.score) == ("submitted", 18)
