import io

import pytest
from cryptography.fernet import Fernet
from django.core import signing
from django.core.management import call_command
from django.db import connection
from openpyxl import load_workbook

from accounts.enums import Role
from awards import winner_details as wd
from awards.models import WinnerDetails, WinnerDetailsAccess
from contests.enums import PrizeStatus, PrizeTier
from essays.enums import Eligibility, EssayStatus
from essays.models import EssayPrize
from quiz.models import Prize
from quiz.services.prizes import prize_verify
from tests.essays.factories import EssayFactory
from tests.factories import contestant, staff_user
from tests.reports.test_figures import known_contest  # noqa: F401 - the shared fixture

pytestmark = pytest.mark.django_db

GOOD = {
    "citizen_id": "015 085 001 234",
    "birth_date": "19/09/1985",
    "address": '=HYPERLINK("http://x") Tổ 5, phường Đồng Tâm',
    "bank_account": "1234-5678-9012",
    "bank_name": "Agribank chi nhánh Bắc Yên Bái",
    "account_holder": "Nguyễn Văn Bình",
}


@pytest.fixture
def verified(known_contest):  # noqa: F811
    contest, _tax, _power = known_contest
    prize = Prize.objects.get()
    prize_verify(prize=prize, by=staff_user(Role.SECRETARIAT), valid=True)
    prize.refresh_from_db()
    return contest, prize


def _send(client, part, pk, data=GOOD):
    """The holder, asked by the secretariat, signs in and posts the form."""
    winner = wd.winner_prize(part, pk)
    wd.winner_details_request(winner=winner, by=staff_user(Role.SECRETARIAT))
    client.force_login(winner.user)
    response = client.post(wd.details_path(winner), data)
    client.logout()
    return response


def test_winner_sends_details_by_the_link_and_they_are_encrypted_at_rest(client, verified):
    _contest, prize = verified

    response = client.post(wd.details_path(wd.winner_prize("quiz", prize.pk)), GOOD)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]  # anonymous: nothing stored
    assert not WinnerDetails.objects.exists()

    response = _send(client, "quiz", prize.pk)

    assert response.status_code == 302
    row = WinnerDetails.objects.get(prize=prize)
    assert row.submitted_by == prize.user
    with connection.cursor() as cursor:
        cursor.execute("SELECT sealed FROM awards_winnerdetails WHERE id = %s", [row.pk])
        raw = bytes(cursor.fetchone()[0])
    for plain in ("015085001234", "123456789012", "Agribank", "Đồng Tâm", "1985"):
        assert plain.encode() not in raw
    assert wd.unseal(row.sealed) == {
        "citizen_id": "015085001234", "birth_date": "1985-09-19", "address": GOOD["address"],
        "bank_account": "123456789012", "bank_name": GOOD["bank_name"], "account_holder": "NGUYỄN VĂN BÌNH",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("citizen_id", "01508500123", "gồm đúng 12 chữ số"),
        ("citizen_id", "0150850012AB", "gồm đúng 12 chữ số"),
        ("citizen_id", "999085001234", "mã tỉnh"),
        ("birth_date", "31/02/1985", "ngày/tháng/năm"),
        ("birth_date", "01/01/2024", "Ngày sinh không hợp lệ"),
        ("bank_account", "12AB5678", "6 đến 20 chữ số"),
        ("address", "", "Trường này là bắt buộc"),
    ],
)
def test_bad_details_get_a_clear_message_and_nothing_is_stored(client, verified, field, value, message):
    _contest, prize = verified

    response = _send(client, "quiz", prize.pk, {**GOOD, field: value})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not WinnerDetails.objects.exists()


def test_a_draft_prize_or_a_tampered_old_link_gets_no_form(client, known_contest):  # noqa: F811
    prize = Prize.objects.get()  # still a draft
    token = signing.dumps({"part": "quiz", "pk": prize.pk}, salt=wd.SALT, compress=True)
    client.force_login(prize.user)

    # An old link only redirects to the form's own address, where the prize is looked up again.
    assert client.get(f"/awards/details/{token}/")["Location"] == f"/awards/details/quiz/{prize.pk}/"
    assert client.get(f"/awards/details/quiz/{prize.pk}/").status_code == 404
    assert client.get(f"/awards/details/{token[:-2]}xx/")["Location"] == "/quiz/my-results/"
    forged = signing.dumps({"part": "quiz", "pk": prize.pk}, salt="another", compress=True)
    assert client.get(f"/awards/details/{forged}/")["Location"] == "/quiz/my-results/"


def test_only_the_secretariat_sees_details_and_every_look_is_logged(client, verified):
    _contest, prize = verified
    _send(client, "quiz", prize.pk)
    url = f"/reports/awards/quiz/{prize.pk}/"

    for role in (Role.ORGANIZER, Role.JUDGE, Role.CONTESTANT):
        client.force_login(staff_user(role) if role != Role.CONTESTANT else prize.user)
        assert client.get(url).status_code == 403, role
        assert client.get("/reports/awards/").status_code == 403, role
    secretary = staff_user(Role.SECRETARIAT)
    client.force_login(secretary)
    response = client.get(url)

    assert response.status_code == 200 and "015085001234" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert list(WinnerDetailsAccess.objects.values_list("viewer", "details__prize", "where")) == [
        (secretary.pk, prize.pk, "page")
    ]


def test_award_list_has_details_columns_for_the_secretariat_only(client, verified):
    _contest, prize = verified
    _send(client, "quiz", prize.pk)
    url = f"/reports/rounds/{prize.round_id}/award.xlsx"

    client.force_login(staff_user(Role.ORGANIZER))
    header = next(load_workbook(io.BytesIO(client.get(url).content)).active.iter_rows(values_only=True))
    assert "Số CCCD" not in header
    secretary = staff_user(Role.SECRETARIAT)
    client.force_login(secretary)
    sheet = load_workbook(io.BytesIO(client.get(url).content)).active

    header, row = [list(r) for r in sheet.iter_rows(max_row=2)]
    values = dict(zip([c.value for c in header], row))
    assert [h.value for h in header][-6:] == [
        "Số CCCD",
        "Ngày sinh",
        "Địa chỉ thường trú",
        "Số tài khoản",
        "Ngân hàng",
        "Chủ tài khoản",
    ]
    assert values["Số CCCD"].value == "015085001234" and values["Số CCCD"].data_type == "s"
    assert values["Địa chỉ thường trú"].value.startswith("'=HYPERLINK") and values["Địa chỉ thường trú"].data_type == "s"
    assert list(WinnerDetailsAccess.objects.values_list("viewer", "where")) == [(secretary.pk, "export")]


def test_winners_workbook_lists_essay_winners_details_for_the_secretariat(client, verified):
    contest, _prize = verified
    essay = EssayFactory(phase__contest=contest, status=EssayStatus.SUBMITTED, eligibility=Eligibility.ELIGIBLE)
    essay_prize = EssayPrize.objects.create(essay=essay, tier=PrizeTier.FIRST, rank=1, status=PrizeStatus.VERIFIED)
    _send(client, "essay", essay_prize.pk)
    client.force_login(staff_user(Role.SECRETARIAT))

    book = load_workbook(io.BytesIO(client.get("/reports/download/winners.xlsx").content))

    rows = list(book["Giải bài viết"].iter_rows(min_row=2, values_only=True))
    assert rows[0][2] == essay.code and rows[0][-6] == "015085001234"


def test_key_rotation_keeps_every_row_readable(verified, client, settings):
    _contest, prize = verified
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.WINNER_DETAILS_KEYS = [old]
    _send(client, "quiz", prize.pk)
    settings.WINNER_DETAILS_KEYS = [new, old]

    call_command("rotate_winner_details_keys", stdout=io.StringIO())

    settings.WINNER_DETAILS_KEYS = [new]
    assert wd.unseal(WinnerDetails.objects.get().sealed)["citizen_id"] == "015085001234"


def test_request_mails_the_link_and_my_results_shows_it(client, verified, mailoutbox, django_capture_on_commit_callbacks):
    contest, prize = verified
    client.force_login(staff_user(Role.SECRETARIAT))

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/reports/awards/")

    assert [m.to for m in mailoutbox] == [[prize.user.email]]
    link = next(line for line in mailoutbox[0].body.splitlines() if "/awards/details/" in line)
    assert link.endswith(f"/awards/details/quiz/{prize.pk}/")  # no token: the session says who asks
    client.logout()
    assert "/accounts/login/" in client.get(link)["Location"]
    client.force_login(prize.user)
    assert client.get(link).status_code == 200
    page = client.get("/quiz/my-results/").content.decode()
    assert "Cung cấp thông tin nhận giải" in page
    other = contestant()
    client.force_login(other)
    assert "Cung cấp thông tin nhận giải" not in client.get("/quiz/my-results/").content.decode()
