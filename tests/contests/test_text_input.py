"""Text that comes in is clean text, on every path: the admin refuses, every save normalizes,
and exports never fail on older data that holds a bad character."""

import io
import unicodedata

import pytest
from django.core.management import call_command
from django.utils import timezone
from openpyxl import load_workbook

from accounts.enums import Role
from accounts.models import Organization, User
from contests.models import FAQ
from contests.text import excel_text
from essays.enums import EssayStatus
from essays.models import Essay, EssayAuthor
from quiz.models import Field
from tests.essays.factories import EssayFactory, EssayPhaseFactory
from tests.factories import ContestFactory, OrganizationFactory, UserFactory, contestant, staff_user
from tests.reports.test_figures import known_contest  # noqa: F401 - the shared fixture

pytestmark = pytest.mark.django_db


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_admin_refuses_a_direction_override_and_saves_nothing(admin_client):
    response = admin_client.post("/admin/quiz/field/add/", {"name": "Điều lệ \u202eĐảng", "sort_order": "0"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Có ký tự không được phép U+202E (ký tự đổi hướng chữ, không nhìn thấy) ở vị trí thứ 9" in html
    assert Field.objects.count() == 0


def test_admin_stores_decomposed_text_composed_and_trimmed(admin_client):
    response = admin_client.post("/admin/quiz/field/add/", {"name": f"  {nfd('Lịch sử Đảng bộ tỉnh')} ", "sort_order": "0"})

    assert response.status_code == 302
    assert Field.objects.get().name == "Lịch sử Đảng bộ tỉnh"


def test_every_save_normalizes_the_fields_that_carry_the_rule():
    contest = ContestFactory(name=nfd(" Tìm hiểu Điều lệ Đảng "), rules=nfd("## Thể lệ\r\n\r\nĐiều 1.\u202e"))
    user = UserFactory(full_name=nfd("Phạm Thị Thuỷ\x01"))

    contest.refresh_from_db()
    user.refresh_from_db()
    assert contest.name == "Tìm hiểu Điều lệ Đảng"
    assert contest.rules == "## Thể lệ\n\nĐiều 1."
    assert user.full_name == "Phạm Thị Thuỷ"


def test_saving_some_fields_normalizes_only_those():
    faq = FAQ.objects.create(contest=ContestFactory(), question="Ai được dự thi?", answer="Mọi đảng viên.")
    faq.question, faq.answer = nfd("Ai được dự thi?"), nfd("Mọi đảng viên trong tỉnh.")

    faq.save(update_fields=["answer"])

    faq.refresh_from_db()
    assert (faq.question, faq.answer) == ("Ai được dự thi?", "Mọi đảng viên trong tỉnh.")


def test_fixtures_are_loaded_exactly_as_written():
    from django.db.models.signals import pre_save

    org = Organization(code="X1", name=nfd("Chi bộ"))
    pre_save.send(sender=Organization, instance=org, raw=True, using="default", update_fields=None)
    assert org.name == nfd("Chi bộ")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Lê\x01 Văn\x1f Tám", "Lê Văn Tám"),
        ("\u202eTám", "Tám"),
        ("=1+1", "'=1+1"),
        ("\x01=1+1", "'=1+1"),  # what is left after dropping is escaped too
        (None, ""),
        (12, "12"),
    ],
)
def test_excel_text_never_gives_openpyxl_what_it_refuses(value, expected):
    assert excel_text(value) == expected


def _bad(name: str) -> str:
    return f"{name}\x01\x02\u202e"


def test_exports_of_names_with_control_characters_do_not_fail(tmp_path, client, known_contest):  # noqa: F811
    # Older data, written before the rule (update() skips every save hook).
    contest, _tax, _power = known_contest
    User.objects.update(full_name=_bad("Lê Văn Tám"))
    Organization.objects.update(name=_bad("Đảng bộ Cục Thuế tỉnh"))
    essay = EssayFactory(phase=EssayPhaseFactory(contest=contest), status=EssayStatus.SUBMITTED, submitted_at=timezone.now())
    EssayAuthor.objects.create(essay=essay, name="x", organization=Organization.objects.first(), phone="0912345678")
    Essay.objects.update(title=_bad("Chi bộ kiểu mẫu"), subject_name=_bad("Chi bộ 3"))
    EssayAuthor.objects.update(name=_bad("Lê Văn Tám"))

    cells = []
    for kind in ["winners", "attempts", "organizations", "essays"]:
        path = tmp_path / f"{kind}.xlsx"
        call_command("export", kind, str(path))
        for sheet in load_workbook(path).worksheets:
            cells += [c for row in sheet.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    client.force_login(staff_user(Role.SECRETARIAT))
    response = client.get("/reports/download/organizations.xlsx")
    assert response.status_code == 200
    cells += [
        c
        for sheet in load_workbook(io.BytesIO(response.content)).worksheets
        for row in sheet.iter_rows(values_only=True)
        for c in row
        if isinstance(c, str)
    ]

    assert "Lê Văn Tám" in cells
    assert "Chi bộ kiểu mẫu" in cells
    assert any(c.startswith("Đảng bộ Cục Thuế tỉnh") for c in cells)
    assert not [c for c in cells if any(ch in c for ch in "\x01\x02\u202e")]


def _essay_post(org, **overrides):
    from tests.essays.factories import BODY

    data = {
        "title": "Chi bộ Phòng Tổng hợp – ngọn cờ đầu",
        "subject_kind": "collective",
        "subject_name": "Chi bộ Phòng Tổng hợp",
        "subject_organization": org.pk,
        "body": "## Mở đầu\r\n\r\n" + BODY.replace("\n", "\r\n"),
        "declares_real": "on",
        "declares_unpublished": "on",
        "authors-TOTAL_FORMS": "1",
        "authors-INITIAL_FORMS": "0",
        "authors-MIN_NUM_FORMS": "1",
        "authors-MAX_NUM_FORMS": "5",
        "authors-0-name": "Nguyễn Thị Lan",
        "authors-0-organization": org.pk,
        "authors-0-phone": "0912 345 678",
    }
    return data | overrides


def test_essay_form_stores_nfc_text_with_plain_line_feeds(client):
    EssayPhaseFactory()
    org = OrganizationFactory()
    client.force_login(contestant())

    response = client.post(
        "/essays/new/",
        _essay_post(org, title=nfd(" Người đảng viên trẻ "), **{"authors-0-name": nfd("Hoàng Thị Thuỷ")}),
    )

    assert response.status_code == 302
    essay = Essay.objects.get()
    assert essay.title == "Người đảng viên trẻ"
    assert essay.body.startswith("## Mở đầu\n\n") and "\r" not in essay.body
    assert list(essay.authors.values_list("name", flat=True)) == ["Hoàng Thị Thuỷ"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "Bài \u202eviết", "«Tên bài viết» có ký tự không được phép U+202E"),
        ("subject_name", "Chi bộ\x07", "«Tên tập thể hoặc cá nhân được viết» có ký tự không được phép U+0007"),
        ("body", "Đoạn một.\x00\n\nĐoạn hai.", "«Nội dung» có ký tự không được phép U+0000"),
        ("authors-0-name", "Lan\u2066", "«Họ và tên tác giả» có ký tự không được phép U+2066"),
    ],
)
def test_essay_form_refuses_bad_characters_naming_the_field(client, field, value, message):
    EssayPhaseFactory()
    client.force_login(contestant())

    response = client.post("/essays/new/", _essay_post(OrganizationFactory(), **{field: value}))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert Essay.objects.count() == 0
