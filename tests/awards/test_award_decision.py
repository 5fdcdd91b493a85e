"""The award decision (DOCX) and the bank transfer workbook: amounts from the prize plan, totals
per tier, who is paid and who is listed apart, the secretariat only, every download logged."""

import io
import string

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from docx import Document
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from accounts.collation import vi_name_key
from accounts.enums import Role
from awards import payments
from awards import winner_details as wd
from awards.award_files import MISSING_SHEET, TOTALS_SHEET, TRANSFER_SHEET
from awards.models import AwardDownload, AwardPart, PrizeAmount, WinnerDetails, WinnerDetailsAccess
from contests.enums import PrizeStatus, PrizeTier
from essays.enums import Eligibility, EssayStatus
from essays.models import EssayPrize
from quiz.models import Prize, Round
from quiz.services.prizes import prize_verify, round_prizes_draft
from tests.budgets import QUERIES
from tests.essays.factories import EssayFactory, vote_prize
from tests.factories import UserFactory, contestant, staff_user
from tests.reports.test_figures import known_contest  # noqa: F401 - the shared fixture

pytestmark = pytest.mark.django_db

PAGE, DOCX, XLSX = "/reports/awards/decision/", "/reports/awards/decision.docx", "/reports/awards/payments.xlsx"
DETAILS = {
    "citizen_id": "015085001234", "birth_date": "1985-09-19", "address": "Yên Bái",
    "bank_account": "0123456789", "bank_name": "Agribank chi nhánh Bắc Yên Bái", "account_holder": "TRẦN VĂN BÌNH",
}  # fmt: skip


def _plan(contest, *, skip=()):
    amounts = {(AwardPart.QUIZ, PrizeTier.FIRST): 2_000_000, (AwardPart.QUIZ, PrizeTier.SECOND): 1_500_000,
               (AwardPart.ESSAY, PrizeTier.FIRST): 5_000_000}  # fmt: skip
    for (part, tier), amount in amounts.items():
        if (part, tier) not in skip:
            PrizeAmount.objects.create(contest=contest, part=part, tier=tier, amount=amount)


def _send_details(prize, plain):
    """A winner's details as stored (sealed), as the form would have stored them."""
    kwargs = {"prize": prize} if isinstance(prize, Prize) else {"essay_prize": prize}
    return WinnerDetails.objects.create(**kwargs, sealed=wd.seal(plain), submitted_at=timezone.now())


@pytest.fixture
def award(known_contest):  # noqa: F811
    """Week 1 with a first and two second prizes, all verified (binh first; an, chi second; chi's
    name starts with «=»), an essay's first prize; binh and the essay sent their details, chi's
    lack an account, an sent nothing."""
    contest, _tax, _power = known_contest
    week1 = Round.objects.get(contest=contest, number=1)
    Round.objects.filter(pk=week1.pk).update(prizes_second=2)
    secretary = staff_user(Role.SECRETARIAT)
    for prize in round_prizes_draft(round=Round.objects.get(pk=week1.pk)):
        prize_verify(prize=prize, by=secretary, valid=True)
    prizes = {p.user.full_name: p for p in Prize.objects.select_related("user")}
    by_rank = sorted(prizes.values(), key=lambda p: p.rank)
    binh, an, chi = by_rank[0], by_rank[1], by_rank[2]
    binh.user.full_name, an.user.full_name, chi.user.full_name = "Trần Văn Bình", "Nguyễn Thị An", "=HYPERLINK(1) Lê Chi"
    for p in (binh, an, chi):
        p.user.save(update_fields=["full_name"])
    essay = EssayFactory(phase__contest=contest, status=EssayStatus.SUBMITTED, eligibility=Eligibility.ELIGIBLE)
    essay_prize = EssayPrize.objects.create(essay=essay, tier=PrizeTier.FIRST, rank=1, status=PrizeStatus.VERIFIED)
    _send_details(binh, DETAILS)
    _send_details(chi, {**DETAILS, "bank_account": "", "account_holder": "LÊ CHI"})
    _send_details(essay_prize, {**DETAILS, "bank_name": "Vietcombank, Yên Bái", "account_holder": "TÁC GIẢ"})
    _plan(contest)
    return contest, {"binh": binh, "an": an, "chi": chi, "essay": essay_prize}, secretary


def _all(contest):
    return payments.award_list(contest=contest, scope=payments.scope_for(contest=contest, key="all"))


# --- the list and its amounts ----------------------------------------------------------------


def test_award_list_has_the_plans_amounts_and_adds_up_per_tier(award):
    contest, prizes, _secretary = award

    result = _all(contest)

    assert result.problem is None
    assert [(line.name, line.tier, line.amount) for line in result.lines] == [
        ("Trần Văn Bình", PrizeTier.FIRST, 2_000_000),
        # the second prizes by given name, in Vietnamese order: «An» before «Chi»
        ("Nguyễn Thị An", PrizeTier.SECOND, 1_500_000),
        ("=HYPERLINK(1) Lê Chi", PrizeTier.SECOND, 1_500_000),
        (prizes["essay"].essay.submitter.full_name, PrizeTier.FIRST, 5_000_000),
    ]
    assert [(t.part, t.tier, t.count, t.total) for t in result.totals] == [
        (AwardPart.QUIZ, PrizeTier.FIRST, 1, 2_000_000),
        (AwardPart.QUIZ, PrizeTier.SECOND, 2, 3_000_000),
        (AwardPart.ESSAY, PrizeTier.FIRST, 1, 5_000_000),
    ]
    assert result.total == 10_000_000
    assert [line.unit for line in result.lines][0].startswith("Đảng bộ Cục Thuế tỉnh")


def test_a_prize_found_not_valid_is_not_paid(award):
    contest, prizes, _secretary = award
    Prize.objects.filter(pk=prizes["an"].pk).update(status=PrizeStatus.INVALID)

    result = _all(contest)

    assert "Nguyễn Thị An" not in [line.name for line in result.lines]
    assert result.total == 8_500_000


def test_a_tier_without_an_amount_is_named_and_both_files_are_refused(client, award):
    contest, _prizes, secretary = award
    PrizeAmount.objects.filter(contest=contest, part=AwardPart.QUIZ, tier=PrizeTier.SECOND).delete()

    result = _all(contest)
    assert [t.amount for t in result.missing_amounts] == [None]
    assert "Phần thi trắc nghiệm – Giải Nhì" in result.problem and "0 đồng" in result.problem

    client.force_login(secretary)
    for url in (DOCX, XLSX):
        response = client.get(url, follow=True)
        assert response.redirect_chain[0][0].startswith(PAGE)
        assert "Chưa có mức thưởng cho: Phần thi trắc nghiệm – Giải Nhì" in response.content.decode()
    page = client.get(PAGE).content.decode()
    assert "Chưa có mức thưởng" in page and "decision.docx" not in page
    assert not AwardDownload.objects.exists() and not WinnerDetailsAccess.objects.exists()


def test_a_list_awaiting_verdicts_is_left_out_whole_and_named(award):
    contest, prizes, _secretary = award
    Prize.objects.filter(pk=prizes["chi"].pk).update(status=PrizeStatus.DRAFT)

    result = _all(contest)
    assert [line.part for line in result.lines] == [AwardPart.ESSAY]
    assert result.not_ready == [(prizes["chi"].round.name, 1)]

    week = payments.scope_for(contest=contest, key=f"round-{prizes['chi'].round_id}")
    assert "chưa được xác minh hết" in payments.award_list(contest=contest, scope=week).problem


def test_a_scope_from_another_contest_or_garbage_names_nothing(award, known_contest):  # noqa: F811
    contest, prizes, _secretary = award
    from tests.factories import ContestFactory

    other = ContestFactory()
    assert payments.scope_for(contest=other, key=f"round-{prizes['binh'].round_id}") is None
    assert payments.scope_for(contest=contest, key="round-1e9") is None
    assert payments.scope_for(contest=contest, key="round-" + "9" * 40) is None


# --- the workbook ----------------------------------------------------------------------------


def test_payments_workbook_pays_who_can_be_paid_and_lists_the_others_apart(client, award):
    contest, prizes, secretary = award
    client.force_login(secretary)

    response = client.get(XLSX)

    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    book = load_workbook(io.BytesIO(response.content))
    pay = [list(r) for r in book[TRANSFER_SHEET].iter_rows(values_only=True)]
    assert pay[0][:7] == ["STT", "Họ và tên", "Chủ tài khoản", "Số tài khoản", "Ngân hàng", "Chi nhánh", "Số tiền (đồng)"]
    binh, essay, total = pay[1], pay[2], pay[3]
    assert binh[:7] == [1, "Trần Văn Bình", "TRẦN VĂN BÌNH", "0123456789", "Agribank", "chi nhánh Bắc Yên Bái", 2_000_000]
    assert binh[7].startswith(f"TRAN VAN BINH nhan thuong Giai Nhat {unaccented_round(prizes['binh'])} ")
    assert essay[4:7] == ["Vietcombank", "Yên Bái", 5_000_000]
    assert total[1] == "Cộng" and total[6] == 7_000_000
    assert all(row[3] for row in pay[1:3])  # never a transfer row with a blank account
    apart = [list(r) for r in book[MISSING_SHEET].iter_rows(values_only=True)][1:]
    assert [(r[1], r[6]) for r in apart] == [
        ("Nguyễn Thị An", "Chưa gửi thông tin nhận giải"),
        ("'=HYPERLINK(1) Lê Chi", "Thiếu số tài khoản"),  # a name that starts with «=» stays text
    ]
    totals = [list(r) for r in book[TOTALS_SHEET].iter_rows(values_only=True)]
    assert totals[1:] == [
        ["Phần thi trắc nghiệm", "Giải Nhất", 2_000_000, 1, 2_000_000, 1, 2_000_000, 0, 0],
        ["Phần thi trắc nghiệm", "Giải Nhì", 1_500_000, 2, 3_000_000, 0, 0, 2, 3_000_000],
        ["Phần thi viết", "Giải Nhất", 5_000_000, 1, 5_000_000, 1, 5_000_000, 0, 0],
        ["Cộng", None, None, 4, 10_000_000, 2, 7_000_000, 2, 3_000_000],
    ]
    for sheet in book.worksheets:  # no formula anywhere
        for row in sheet.iter_rows():
            assert not any(cell.data_type == "f" for cell in row)
    # Logged: the download, and each winner's details opened (three rows sent).
    download = AwardDownload.objects.get()
    assert (download.kind, download.by, download.prizes, download.total) == ("payments", secretary, 4, 10_000_000)
    assert WinnerDetailsAccess.objects.filter(viewer=secretary, where="payments").count() == 3


def unaccented_round(prize) -> str:
    from contests.sms import unaccented

    return unaccented(prize.round.name)


def test_transfer_content_example(award):
    contest, prizes, _secretary = award
    contest.name = "Cuộc thi trực tuyến tìm hiểu và viết về chủ đề «đảng viên tốt, chi bộ kiểu mẫu» năm 2022 – 2023" * 2
    line = next(line for line in _all(contest).lines if line.prize == prizes["binh"])

    text = payments.transfer_content(line=line, contest=contest)

    assert text.startswith(f"TRAN VAN BINH nhan thuong Giai Nhat {unaccented_round(prizes['binh'])} Cuoc thi truc tuyen")
    assert len(text) <= payments.MAX_TRANSFER_CONTENT and not text.endswith(" ")


SAFE = set(string.ascii_letters + string.digits + " .,")


@given(name=st.text(max_size=200), group=st.text(max_size=200), contest_name=st.text(max_size=300))
def test_transfer_content_is_short_and_of_safe_characters(name, group, contest_name):
    class Payee:
        full_name = name

    class Contest:
        pass

    Contest.name = contest_name
    line = payments.AwardLine(part="quiz", prize=None, group=group, tier="first", name=name, unit="", payee=Payee(),
                              amount=1000)  # fmt: skip

    text = payments.transfer_content(line=line, contest=Contest())

    assert len(text) <= payments.MAX_TRANSFER_CONTENT
    assert set(text) <= SAFE
    assert text == text.strip(" .,")


@pytest.mark.parametrize(
    ("text", "bank", "branch"),
    [
        ("Agribank chi nhánh Bắc Yên Bái", "Agribank", "chi nhánh Bắc Yên Bái"),
        ("Vietcombank, Yên Bái", "Vietcombank", "Yên Bái"),
        ("BIDV - CN Yên Bái", "BIDV", "CN Yên Bái"),
        ("VietinBank", "VietinBank", ""),
        ("  Ngân hàng  Quân đội  PGD Nghĩa Lộ ", "Ngân hàng Quân đội", "PGD Nghĩa Lộ"),
    ],
)
def test_bank_and_branch(text, bank, branch):
    assert payments.bank_and_branch(text) == (bank, branch)


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (0, "Không đồng"),
        (21_000, "Hai mươi mốt nghìn đồng"),
        (105_000, "Một trăm linh năm nghìn đồng"),
        (1_050_000, "Một triệu không trăm năm mươi nghìn đồng"),
        (2_500_000, "Hai triệu năm trăm nghìn đồng"),
        (15_000_000, "Mười lăm triệu đồng"),
        (24_000_000, "Hai mươi tư triệu đồng"),
        (1_000_000_000, "Một tỷ đồng"),
        (1_000_500_000, "Một tỷ năm trăm nghìn đồng"),  # no millions: the group is skipped
        (3_015_000, "Ba triệu không trăm mười lăm nghìn đồng"),
    ],
)
def test_amount_in_words(amount, words):
    assert payments.amount_in_words(amount) == words


def test_names_sort_by_given_name_in_vietnamese_order():
    names = ["Trần Văn Bình", "Đỗ Thị Ánh", "Nguyễn An", "Lê Văn Đức", "Phạm Chi"]

    assert sorted(names, key=vi_name_key) == ["Nguyễn An", "Đỗ Thị Ánh", "Trần Văn Bình", "Phạm Chi", "Lê Văn Đức"]


# --- the decision ----------------------------------------------------------------------------


def test_decision_docx_reads_back_in_the_partys_format(client, award):
    contest, prizes, secretary = award
    contest.doc_symbol, contest.doc_place = "BC/ĐUK", "Yên Bái"
    contest.save()
    client.force_login(secretary)

    response = client.get(DOCX)

    assert response.status_code == 200
    document = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    header = document.tables[0]
    assert header.cell(1, 0).text.startswith("Số ") and header.cell(1, 0).text.endswith("-QĐ/ĐUK")
    assert header.cell(1, 1).text.startswith("Yên Bái, ngày") and "tháng" in header.cell(1, 1).text
    for words in ("QUYẾT ĐỊNH", "Căn cứ Thể lệ", "QUYẾT ĐỊNH:", "Điều 1. Khen thưởng 04 giải", "Điều 2. Mức thưởng",
                  "Tổng số tiền thưởng: 10.000.000 đồng (Bằng chữ: Mười triệu đồng)", "Điều 3.", "DANH SÁCH",
                  "(Kèm theo Quyết định số"):  # fmt: skip
        assert words in text, words
    closing = document.tables[1]
    assert closing.cell(0, 0).paragraphs[1].text == "- Như Điều 3,"
    annex = [[c.text for c in row.cells] for row in document.tables[2].rows]
    assert annex[0] == ["STT", "Họ và tên", "Đơn vị", "Giải", "Số tiền (đồng)"]
    assert [r[1] for r in annex[1:]] == ["Trần Văn Bình", "Nguyễn Thị An", "=HYPERLINK(1) Lê Chi", "Cộng"]
    assert annex[1][3:] == ["Giải Nhất", "2.000.000"] and annex[-1][4] == "5.000.000"
    summary = [[c.text for c in row.cells] for row in document.tables[-1].rows]
    assert summary[-1] == ["Tổng cộng", "4", "", "10.000.000"]
    download = AwardDownload.objects.get()
    assert (download.kind, download.by, download.total) == ("decision", secretary, 10_000_000)
    assert not WinnerDetailsAccess.objects.exists()  # the decision names no account


# --- who may ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["organizer", "judge", "contestant", "unit officer", "stranger"])
@pytest.mark.parametrize("url", [PAGE, DOCX, XLSX])
def test_only_the_secretariat_sees_the_page_and_downloads(client, award, who, url):
    user = {
        "organizer": lambda: staff_user(Role.ORGANIZER),
        "judge": lambda: staff_user(Role.JUDGE),
        "contestant": contestant,
        "unit officer": lambda: UserFactory(roles=[Role.UNIT_OFFICER]),
        "stranger": UserFactory,
    }[who]()
    client.force_login(user)

    assert client.get(url).status_code == 403
    assert not AwardDownload.objects.exists() and not WinnerDetailsAccess.objects.exists()


@pytest.mark.parametrize("url", [PAGE, DOCX, XLSX])
def test_anonymous_is_sent_to_log_in(client, award, url):
    response = client.get(url)

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_secretariat_page_shows_the_list_and_who_downloaded(client, award):
    contest, _prizes, secretary = award
    client.force_login(secretary)
    client.get(DOCX)

    page = client.get(PAGE).content.decode()

    assert "Trần Văn Bình" in page and "2.000.000" in page and "10.000.000" in page
    assert "=HYPERLINK(1) Lê Chi" in page
    assert "Quyết định khen thưởng (DOCX)" in page  # the download log
    assert "1 người đạt giải chưa gửi thông tin nhận giải" in page


def test_an_unknown_scope_is_a_message_not_an_error(client, award):
    _contest, _prizes, secretary = award
    client.force_login(secretary)

    response = client.get(PAGE, {"scope": "round-abc<script>"})

    assert response.status_code == 200
    assert "Không có phạm vi này" in response.content.decode()
    assert "<script>" not in response.content.decode()


def test_award_page_query_count(client, award, django_assert_num_queries):
    contest, prizes, secretary = award
    vote_prize(contest)  # «Giải bình chọn» of one phase: its own query and its authors'
    client.force_login(secretary)
    client.get(PAGE)
    with django_assert_num_queries(QUERIES["award_decision"]):
        client.get(PAGE)
    for n in range(2):
        essay = EssayFactory(phase__contest=contest, status=EssayStatus.SUBMITTED, eligibility=Eligibility.ELIGIBLE)
        EssayPrize.objects.create(essay=essay, tier=PrizeTier.FIRST, rank=2 + n, status=PrizeStatus.VERIFIED)
        vote_prize(contest, phase_name=f"Giai đoạn {3 + n}")
    with django_assert_num_queries(QUERIES["award_decision"]):
        client.get(PAGE)


# --- the prize plan in the admin ---------------------------------------------------------------


def test_organizers_set_the_prize_plan_in_the_admin_with_validation(client, award):
    contest, _prizes, _secretary = award
    add = "/admin/awards/prizeamount/add/"
    client.force_login(staff_user(Role.SECRETARIAT))
    assert client.get(add).status_code == 403
    client.force_login(staff_user(Role.ORGANIZER))

    zero = client.post(add, {"contest": contest.pk, "part": "quiz", "tier": "third", "amount": "0"})
    twice = client.post(add, {"contest": contest.pk, "part": "quiz", "tier": "first", "amount": "3000000"})
    good = client.post(add, {"contest": contest.pk, "part": "quiz", "tier": "third", "amount": "1000000"})

    assert "Mức thưởng tối thiểu là 1.000 đồng." in zero.content.decode()
    assert "đã có mức thưởng" in twice.content.decode()
    assert good.status_code == 302
    assert PrizeAmount.objects.get(contest=contest, part="quiz", tier="third").amount == 1_000_000


def test_anonymous_user_object_has_no_award_permission():
    assert not AnonymousUser().has_perm("awards.prepare_award")


def test_an_unknown_scope_downloads_nothing(client, award):
    _contest, _prizes, secretary = award
    client.force_login(secretary)

    response = client.get(XLSX, {"scope": "round-999999"})

    assert response.status_code == 302 and response["Location"].startswith(PAGE)
    assert not AwardDownload.objects.exists() and not WinnerDetailsAccess.objects.exists()


def test_an_essay_prize_without_a_tier_is_named_not_paid(client, award):
    contest, prizes, secretary = award
    EssayPrize.objects.filter(pk=prizes["essay"].pk).update(tier="")

    result = _all(contest)

    assert "Phần thi viết – Giải chưa xếp hạng" in result.problem
    client.force_login(secretary)
    assert client.get(PAGE).status_code == 200
    assert client.get(DOCX).status_code == 302


@given(amount=st.integers(min_value=1, max_value=10**15 - 1))
def test_amount_in_words_is_one_clean_sentence(amount):
    words = payments.amount_in_words(amount)

    assert words[0].isupper() and words.endswith(" đồng")
    assert "  " not in words and "không không" not in words
    assert not words.lower().startswith("không")
