"""The item analysis after an erratum, in the admin (1366×768): the annulled question flagged and
without figures, the re-keyed one flagged, and the note on how errata count. Screenshots go to
$SCREENSHOTS_OUT when set."""

import pytest
from playwright.sync_api import expect

from accounts.enums import Role
from quiz import analysis
from quiz.enums import ErratumAction
from quiz.models import AttemptQuestion, Option
from quiz.services.errata import round_erratum
from tests.browser.conftest import STAFF, screenshot
from tests.factories import staff_user
from tests.quiz.test_errata import REASON, _played

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_analysis_page_after_an_annulment_and_a_rekey(page, login):
    round, people = _played(rights=(20, 19, 18, 17))
    organizer = staff_user(Role.ORGANIZER)
    item = AttemptQuestion.objects.get(attempt__round=round, attempt__user=people[1], position=20)
    annulled = round.pool.exclude(question=item.question).order_by("question_id").first().question
    letter = Option.objects.get(pk=item.option_ids[item.chosen_index]).letter
    round_erratum(round=round, question=annulled, action=ErratumAction.ANNUL, reason=REASON, by=organizer)
    round_erratum(round=round, question=item.question, action=ErratumAction.REKEY, letters="A" + letter, reason=REASON,
                  by=organizer)  # fmt: skip
    analysis.round_analyse(round=round)

    page.set_viewport_size(STAFF)
    login(organizer.email)
    page.goto(f"{page.base_url}/admin/quiz/round/{round.pk}/analysis/")

    expect(page.locator(f'[data-question="{annulled.code}"]')).to_contain_text("đã hủy theo đính chính")
    expect(page.locator(f'[data-question="{item.question.code}"]')).to_contain_text("đáp án đã đính chính")
    expect(page.locator("[data-analysis-errata]")).to_be_visible()
    screenshot(page, "analysis-after-errata-1366", full_page=False)
    page.locator(f'[data-question="{annulled.code}"]').scroll_into_view_if_needed()
    screenshot(page, "analysis-after-errata-rows-1366", full_page=False)
