"""The organizer's admin: the import preview (letters, a confirm without the file again, unknown
fields never created silently) and an admin in Vietnamese."""

import pytest
from django.apps import apps

from accounts.enums import Role
from quiz.models import Field, Question
from tests.factories import staff_user
from tests.quiz.factories import FieldFactory, question_workbook

pytestmark = pytest.mark.django_db
URL = "/admin/quiz/question/import/"


@pytest.fixture
def organizer(client):
    client.force_login(staff_user(Role.ORGANIZER))
    return client


_upload = question_workbook


def _row(code="A1", field="Điều lệ Đảng", answer="B"):
    return [code, field, "Đảng viên có mấy nhiệm vụ?", "3", "4", "5", "6", answer, "Điều lệ"]


def test_preview_shows_the_right_answer_as_a_letter(organizer):
    FieldFactory(name="Điều lệ Đảng")

    preview = organizer.post(URL, {"file": _upload([_row(answer="B"), _row(code="A2", answer="D")])})

    html = preview.content.decode()
    assert '<td class="preview-right" data-right="A1">B</td>' in html
    assert '<td class="preview-right" data-right="A2">D</td>' in html
    assert Question.objects.count() == 0


def test_confirm_imports_the_kept_file_without_asking_for_it_again(organizer):
    FieldFactory(name="Điều lệ Đảng")
    preview = organizer.post(URL, {"file": _upload([_row()])})
    token = preview.context["confirm_form"]["token"].value()

    done = organizer.post(URL, {"token": token, "confirm": "1"})

    assert done.status_code == 302
    question = Question.objects.get()
    assert (question.code, question.field.name) == ("A1", "Điều lệ Đảng")
    again = organizer.post(URL, {"token": token, "confirm": "1"}, follow=True)  # used up
    assert "Bản xem trước đã hết hạn" in again.content.decode()


def test_unknown_field_is_flagged_and_never_created_silently(organizer):
    FieldFactory(name="Điều lệ Đảng")
    preview = organizer.post(URL, {"file": _upload([_row(field="dieu le dang")])})
    html = preview.content.decode()
    assert "data-unknown-fields" in html
    assert "Tạo lĩnh vực mới: «dieu le dang» (gần giống «Điều lệ Đảng» đã có)" in html
    token = preview.context["confirm_form"]["token"].value()

    refused = organizer.post(URL, {"token": token, "confirm": "1"})

    assert refused.status_code == 200
    assert "Tệp có lĩnh vực chưa có trong ngân hàng: «dieu le dang»" in refused.content.decode()
    assert Question.objects.count() == 0
    assert list(Field.objects.values_list("name", flat=True)) == ["Điều lệ Đảng"]

    done = organizer.post(URL, {"token": token, "confirm": "1", "create_fields": ["dieu le dang"]})

    assert done.status_code == 302
    assert Question.objects.get().field.name == "dieu le dang"


def test_a_token_works_only_for_the_organizer_who_uploaded(organizer, client):
    FieldFactory(name="Điều lệ Đảng")
    token = organizer.post(URL, {"file": _upload([_row()])}).context["confirm_form"]["token"].value()
    client.force_login(staff_user(Role.ORGANIZER))

    response = client.post(URL, {"token": token, "confirm": "1"}, follow=True)

    assert "Bản xem trước đã hết hạn (sau 15 phút) hoặc không phải của anh/chị" in response.content.decode()
    assert Question.objects.count() == 0


@pytest.mark.parametrize("token", ["", "x", "../../etc", "a" * 200, "khong-co-trong-bo-nho-dem-1234"])
def test_a_bad_or_unknown_token_asks_for_the_file_again(organizer, token):
    response = organizer.post(URL, {"token": token, "confirm": "1"}, follow=True)

    assert response.status_code == 200
    assert "vui lòng chọn lại tệp" in response.content.decode()


def test_every_app_label_is_vietnamese(organizer):
    labels = {config.label: str(config.verbose_name) for config in apps.get_app_configs()}

    html = organizer.get("/admin/").content.decode()

    assert [labels[a] for a in ("contests", "accounts", "quiz", "essays")] == [
        "Cuộc thi", "Tài khoản và đơn vị", "Thi trắc nghiệm", "Thi viết",
    ]  # fmt: skip
    assert labels["reports"] == "Báo cáo"
    assert ">Cuộc thi</a>" in html
    assert [name for name in ("Contests", "Essays", "Reports") if f">{name}</a>" in html] == []


def test_admin_list_page_has_no_english_left(organizer):
    html = organizer.get("/admin/quiz/question/").content.decode()

    assert "Hiện số lượng" in html
    assert "Show counts" not in html and "Filter" not in html


def test_admin_pages_name_the_site_icon(organizer):
    """Without it every admin page asks for /favicon.ico and logs a «Not Found»."""
    html = organizer.get("/admin/").content.decode()
    assert 'rel="icon" href="/static/img/favicon' in html
