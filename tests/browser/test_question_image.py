"""A question's image on a phone: inside the card, its space reserved, loaded lazily and shown."""

import io
import os

import pytest
from PIL import Image, ImageDraw

from accounts.enums import Role
from quiz.images import image_prepare
from quiz.models import Attempt
from quiz.services.bank import question_image_set
from quiz.services.pool import round_pool_add
from quiz.services.rounds import round_approve
from tests.browser.conftest import assert_fits_phone
from tests.factories import contestant, staff_user
from tests.quiz.factories import QuestionFactory, RoundFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _diagram() -> bytes:
    image = Image.new("RGB", (1200, 700), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    for i, (x, label) in enumerate([(80, "Chi bo"), (470, "Dang uy"), (860, "Ban Thuong vu")]):
        draw.rectangle([x, 250, x + 280, 420], outline=(180, 20, 20), width=8)
        draw.text((x + 40, 320), label, fill=(0, 0, 0))
        if i:
            draw.line([x - 110, 335, x, 335], fill=(0, 0, 0), width=6)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def test_the_image_fits_the_phone_and_loads(page, login):
    round = RoundFactory(name="Tuần thi có hình ảnh", questions_per_attempt=3)
    questions = [QuestionFactory() for _ in range(3)]
    question_image_set(question=questions[0], image=image_prepare(_diagram()), alt="Sơ đồ tổ chức ba cấp")
    round_pool_add(round=round, question_ids=[q.pk for q in questions])
    round_approve(round=round, by=staff_user(Role.ORGANIZER))
    user = contestant(user__email="anh@example.com")
    login(user.email)

    page.goto(f"{page.base_url}/quiz/rounds/{round.pk}/")
    page.get_by_role("button", name="Bắt đầu làm bài").click()
    position = Attempt.objects.get(user=user).items.get(question=questions[0]).position
    image = page.locator(f"#q-{position} img.question-image")
    image.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())

    assert image.get_attribute("loading") == "lazy" and image.get_attribute("alt") == "Sơ đồ tổ chức ba cấp"
    box = image.bounding_box()
    card = page.locator(f"#q-{position}").bounding_box()
    assert box["width"] <= card["width"] and abs(box["height"] / box["width"] - 700 / 1200) < 0.02
    assert_fits_phone(page)
    if os.environ.get("SCREENSHOTS_OUT"):
        page.locator(f"#q-{position}").screenshot(path=os.path.join(os.environ["SCREENSHOTS_OUT"], "attempt-image-390.png"))
