"""Tap targets on a phone (390×844): the footer's contacts and "Quên mật khẩu?" are a finger's
height, and each contact keeps its label beside its link without a gap between the rows."""

import pytest

from tests.browser.conftest import assert_fits_phone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FINGER = 44  # px, the height the site gives every link a finger has to hit


def _box(locator):
    box = locator.bounding_box()
    assert box is not None, locator
    return box


def test_footer_contacts_are_rows_of_a_finger_each_label_beside_its_link(page, settings):
    settings.CONTEST_CONTACT_EMAIL = "bantochuc.cuocthi@tinhuy.example.vn"
    page.goto(page.base_url + "/")
    contacts = page.locator(".footer-contacts li")
    phone, mail = contacts.nth(0), contacts.nth(1)
    for item in (phone, mail):
        link, label = _box(item.locator("a")), _box(item)
        assert link["height"] >= FINGER
        assert link["x"] + link["width"] <= 390
        # The label and its link share one row: the item is no taller than its link.
        assert label["height"] <= link["height"] + 1, (item.inner_text(), label, link)
    first, second = _box(phone), _box(mail)
    # Stacked on a phone, with no empty line between the two rows.
    assert second["y"] - (first["y"] + first["height"]) <= 1
    assert_fits_phone(page)


def test_forgotten_password_link_is_a_finger_high(page):
    page.goto(page.base_url + "/accounts/login/")
    link = page.get_by_role("link", name="Quên mật khẩu?")
    assert _box(link)["height"] >= FINGER


def test_an_address_too_long_for_its_row_goes_under_its_label_without_a_gap(page, settings):
    settings.CONTEST_CONTACT_EMAIL = "ban.tochuc.cuocthi.tim.hieu@tinhuy-yenbai.example.vn"
    page.goto(page.base_url + "/")
    mail = page.locator(".footer-contacts li").nth(1)
    link, item = _box(mail.locator("a")), _box(mail)
    assert link["height"] >= FINGER
    assert item["height"] - link["height"] <= 30  # one line of text for the label, no blank line
    assert_fits_phone(page)
