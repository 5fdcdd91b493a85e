"""«Giải bình chọn» (the readers' vote prize, essays.votes) in the award decision, the payment list,
the prize plan, the winners' details and the certificates. It counts once drafted while its essay
stays published (essays.votes.vote_prizes_counting): no verdict of its own."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from accounts.enums import Role
from awards import certificates as certs
from awards import payments
from awards import winner_details as wd
from awards.award_files import MISSING_SHEET, TOTALS_SHEET, TRANSFER_SHEET
from awards.models import VOTE_TIER, AwardPart, Certificate, PrizeAmount, WinnerDetails, WinnerDetailsAccess
from essays.votes import vote_prizes_counting
from tests.awards.test_award_decision import DETAILS, DOCX, PAGE, XLSX, award  # noqa: F401
from tests.essays.factories import vote_prize
from tests.factories import UserFactory, staff_user
from tests.reports.test_figures import known_contest  # noqa: F401 - the shared fixture

pytestmark = pytest.mark.django_db

VOTE_AMOUNT = 3_000_000


@pytest.fixture
def voted(award):  # noqa: F811
    contest, prizes, secretary = award
    prize = vote_prize(contest)
    PrizeAmount.objects.create(contest=contest, part=AwardPart.ESSAY, tier=VOTE_TIER, amount=VOTE_AMOUNT)
    return contest, prizes, secretary, prize


def _all(contest):
    return payments.award_list(contest=contest, scope=payments.scope_for(contest=contest, key="all"))


# --- the award list ------------------------------------------------------------------------------


def test_a_vote_prize_is_paid_to_the_submitter_at_the_plans_amount(voted):
    contest, _prizes, _secretary, prize = voted

    result = _all(contest)

    assert result.problem is None
    line = result.lines[-1]  # after the weeks and the jury's prizes
    assert (line.source, line.part, line.tier, line.amount) == ("vote", AwardPart.ESSAY, VOTE_TIER, VOTE_AMOUNT)
    assert line.group == "Bình chọn của bạn đọc – Giai đoạn 2"
    assert line.payee == prize.essay.submitter
    assert line.name == f"{prize.essay.submitter.full_name}, Hà Thị Mai"  # the authors, as an essay prize's
    assert [(t.label, t.count, t.total) for t in result.totals][-1] == ("Phần thi viết – Giải bình chọn", 1, VOTE_AMOUNT)
    assert result.total == 10_000_000 + VOTE_AMOUNT
    essays_only = payments.award_list(contest=contest, scope=payments.scope_for(contest=contest, key="essays"))
    assert [line.source for line in essays_only.lines] == ["essay", "vote"]
    week = payments.scopes(contest=contest)[1]
    assert "vote" not in [line.source for line in payments.award_list(contest=contest, scope=week).lines]


def test_a_vote_prize_without_an_amount_refuses_both_files(client, voted):
    contest, _prizes, secretary, _prize = voted
    PrizeAmount.objects.filter(tier=VOTE_TIER).delete()

    result = _all(contest)

    assert "Phần thi viết – Giải bình chọn" in result.problem
    client.force_login(secretary)
    assert client.get(DOCX).status_code == 302 and client.get(XLSX).status_code == 302


def test_a_vote_prize_of_an_essay_taken_off_the_site_counts_nowhere(voted):
    contest, _prizes, _secretary, prize = voted
    prize.essay.__class__.objects.filter(pk=prize.essay_id).update(published_at=None)

    assert list(vote_prizes_counting(contest=contest)) == []
    assert "vote" not in [line.source for line in _all(contest).lines]
    assert [wp.part for wp in wd.winner_prizes(contest=contest)].count("vote") == 0
    assert wd.winner_prize("vote", prize.pk) is None


# --- the files -----------------------------------------------------------------------------------


def test_the_decision_names_the_vote_prize_in_article_1_and_the_annex(client, voted):
    contest, _prizes, secretary, _prize = voted
    client.force_login(secretary)

    document = Document(io.BytesIO(client.get(DOCX).content))

    text = "\n".join(p.text for p in document.paragraphs)
    assert "01 Giải bình chọn phần thi viết" in text
    assert "III. Bình chọn của bạn đọc – Giai đoạn 2" in text  # the annex's heading of the list
    rows = [[c.text for c in row.cells] for table in document.tables for row in table.rows]
    assert ["Phần thi viết – Giải bình chọn", "1", "3.000.000", "3.000.000"] in rows
    assert rows[-1] == ["Tổng cộng", "5", "", "13.000.000"]


def test_the_payment_list_pays_a_vote_prize_with_details_and_lists_it_apart_without(client, voted):
    contest, _prizes, secretary, prize = voted
    client.force_login(secretary)

    book = load_workbook(io.BytesIO(client.get(XLSX).content))
    apart = [list(r) for r in book[MISSING_SHEET].iter_rows(values_only=True)][1:]
    assert (apart[-1][1], apart[-1][3], apart[-1][6]) == (prize.essay.submitter.full_name, "Giải bình chọn",
                                                           "Chưa gửi thông tin nhận giải")  # fmt: skip

    WinnerDetails.objects.create(
        vote_prize=prize, sealed=wd.seal({**DETAILS, "account_holder": "NGƯỜI NỘP BÀI"}), submitted_at=timezone.now()
    )
    book = load_workbook(io.BytesIO(client.get(XLSX).content))
    pay = [list(r) for r in book[TRANSFER_SHEET].iter_rows(values_only=True)]
    row = pay[-2]
    assert row[2:7] == ["NGƯỜI NỘP BÀI", "0123456789", "Agribank", "chi nhánh Bắc Yên Bái", VOTE_AMOUNT]
    assert " nhan thuong Giai binh chon Binh chon cua ban doc Giai doan 2 " in row[7]
    totals = [list(r) for r in book[TOTALS_SHEET].iter_rows(values_only=True)]
    assert ["Phần thi viết", "Giải bình chọn", VOTE_AMOUNT, 1, VOTE_AMOUNT, 1, VOTE_AMOUNT, 0, 0] in totals
    assert WinnerDetailsAccess.objects.filter(vote_prize=prize, where="payments").count() == 1


def test_award_page_lists_the_vote_prize(client, voted):
    contest, _prizes, secretary, prize = voted
    client.force_login(secretary)

    page = client.get(PAGE).content.decode()

    assert "Phần thi viết – Giải bình chọn" in page and "Bình chọn của bạn đọc – Giai đoạn 2" in page


# --- the prize plan ------------------------------------------------------------------------------


def test_the_vote_tier_belongs_to_the_writing_contest(client, award):  # noqa: F811
    contest, _prizes, _secretary = award
    with pytest.raises(ValidationError, match="phần thi viết"):
        PrizeAmount(contest=contest, part=AwardPart.QUIZ, tier=VOTE_TIER, amount=1_000_000).full_clean()
    client.force_login(staff_user(Role.ORGANIZER))
    add = "/admin/awards/prizeamount/add/"

    wrong = client.post(add, {"contest": contest.pk, "part": "quiz", "tier": "vote", "amount": "1000000"})
    good = client.post(add, {"contest": contest.pk, "part": "essay", "tier": "vote", "amount": "2000000"})

    assert "«Giải bình chọn» là giải của phần thi viết" in wrong.content.decode()
    assert good.status_code == 302
    assert PrizeAmount.objects.get(contest=contest, tier=VOTE_TIER).amount == 2_000_000


# --- winners' details ----------------------------------------------------------------------------


def test_the_submitter_sends_details_for_a_vote_prize_and_only_they_open_the_form(client, voted):
    contest, _prizes, secretary, prize = voted
    winner = next(wp for wp in wd.winner_prizes(contest=contest) if wp.part == "vote")
    assert winner.user == prize.essay.submitter and winner.label == f"Giải bình chọn – {prize.essay.title}"
    wd.winner_details_request(winner=winner, by=secretary)
    url = reverse("certs:winner_details", args=["vote", prize.pk])

    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    client.force_login(prize.essay.submitter)
    form = {**DETAILS, "birth_date": "19/09/1985"}
    response = client.post(url, form)

    assert response.status_code == 302, response.content.decode()[:2000]
    row = WinnerDetails.objects.get(vote_prize=prize)
    assert wd.unseal(row.sealed)["bank_account"] == "0123456789"
    mine = wd.winner_prizes_for_user(user=prize.essay.submitter, contest=contest)
    assert [(wp.part, wp.prize.details_at is not None) for wp in mine] == [("vote", True)]
    client.force_login(secretary)
    listing = client.get(reverse("reports:winner_details")).content.decode()
    assert prize.essay.title in listing and reverse("reports:winner_details_show", args=["vote", prize.pk]) in listing
    assert client.get(reverse("reports:winner_details_show", args=["vote", prize.pk])).status_code == 200


# --- certificates --------------------------------------------------------------------------------


def test_each_author_of_the_vote_prize_essay_gets_a_certificate_revoked_when_it_no_longer_counts(voted):
    contest, _prizes, _secretary, prize = voted

    certs.certificates_issue(contest=contest)
    again, _total = certs.certificates_issue(contest=contest)

    issued = Certificate.objects.filter(kind=Certificate.Kind.VOTE_PRIZE).order_by("holder_name")
    assert again == 0
    assert sorted(c.holder_name for c in issued) == sorted([prize.essay.submitter.full_name, "Hà Thị Mai"])
    assert {c.user_id for c in issued} == {prize.essay.submitter_id}  # the submitter downloads them
    cert = certs.certificate_by_code(issued[0].code)
    assert cert.valid
    assert certs.certifies(cert) == f"Đạt Giải bình chọn của bạn đọc, phần thi viết, với tác phẩm «{prize.essay.title}»."
    assert certs.certificate_pdf(cert, url="https://example.test/verify/x/").startswith(b"%PDF")

    prize.essay.__class__.objects.filter(pk=prize.essay_id).update(published_at=None)

    assert not certs.certificate_by_code(issued[0].code).valid


def test_the_winners_workbook_lists_the_vote_prize_with_its_details_for_the_secretariat(client, voted):
    _contest, _prizes, secretary, prize = voted
    WinnerDetails.objects.create(vote_prize=prize, sealed=wd.seal(DETAILS), submitted_at=timezone.now())
    client.force_login(secretary)

    book = load_workbook(io.BytesIO(client.get("/reports/download/winners.xlsx").content))

    rows = list(book["Giải bài viết"].iter_rows(min_row=2, values_only=True))
    row = rows[-1]
    assert row[1:3] == ("Giải bình chọn", prize.essay.code) and row[7] == "412 lượt bình chọn"
    assert row[-6] == DETAILS["citizen_id"]
    assert WinnerDetailsAccess.objects.filter(vote_prize=prize, where="export").count() == 1
