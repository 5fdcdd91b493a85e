import datetime
import hashlib
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from quiz.models import Round, RoundSeal
from tests.browser.conftest import assert_fits_phone
from tests.quiz.factories import sealed_round

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_phone_reader_copies_the_fingerprint_and_checks_the_downloaded_key_file(page):
    round = sealed_round(pool_size=20, fields=2, name="Tuần thi thứ nhất")
    Round.objects.filter(pk=round.pk).update(
        closes_at=timezone.now() - datetime.timedelta(minutes=1),
        opens_at=timezone.now() - datetime.timedelta(days=7),
        results_published_at=timezone.now(),
    )
    sha256 = RoundSeal.objects.get(round=round).sha256

    page.goto(f"{page.base_url}/quiz/rounds/{round.pk}/")

    fingerprint = page.locator("[data-fingerprint]")
    expect(fingerprint).to_be_visible()
    assert_fits_phone(page)
    # What a reader selects and copies is the 64 digits in one piece, however the line wraps.
    assert fingerprint.inner_text().replace("\n", "") == sha256
    assert "monospace" in fingerprint.evaluate("el => getComputedStyle(el).fontFamily")
    box = fingerprint.bounding_box()
    assert box["x"] + box["width"] <= 390
    with page.expect_download() as info:
        page.get_by_role("link", name="Tải tệp đáp án niêm phong").click()
    download = info.value
    assert re.fullmatch(r"dap-an-[a-z0-9-]+-tuan-\d+\.json", download.suggested_filename)
    with open(download.path(), "rb") as file:
        assert hashlib.sha256(file.read()).hexdigest() == sha256
