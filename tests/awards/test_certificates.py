import pytest
from django.core.cache import cache
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from accounts.enums import Role
from awards import certificates as certs
from awards import winner_details as wd
from awards.models import Certificate
from awards.tasks import run_certificates
from contests.enums import PrizeStatus, PrizeTier
from essays.enums import Eligibility, EssayStatus
from essays.models import EssayAuthor, EssayPrize
from quiz.models import Prize, Round, RoundEntry
from quiz.services.attempts import attempt_start
from quiz.services.prizes import prize_amend, prize_verify, round_publish_results
from reports.models import ExportJob
from tests.budgets import QUERIES
from tests.essays.factories import EssayFactory
from tests.factories import contestant, staff_user
from tests.quiz.factories import sealed_round
from tests.reports.test_figures import known_contest  # noqa: F401 - the shared fixture

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def _publish_week1(contest):
    """Verify week 1's only prize (binh, first) and publish the results."""
    week1 = Round.objects.get(contest=contest, number=1)
    secretary = staff_user(Role.SECRETARIAT)
    prize = Prize.objects.get(round=week1)
    prize_verify(prize=prize, by=secretary, valid=True)
    round_publish_results(round=Round.objects.get(pk=week1.pk), by=staff_user(Role.ORGANIZER))
    prize.refresh_from_db()
    return prize, secretary


def _by_kind(contest):
    return sorted((c.kind, c.holder_name) for c in Certificate.objects.filter(contest=contest))


# --- who gets one ---------------------------------------------------------------------------


def test_participation_needs_a_finished_attempt(known_contest):  # noqa: F811
    contest, _tax, _power = known_contest
    only_open = contestant(user__full_name="Chỉ mở bài")
    attempt_start(round=Round.objects.get(contest=contest, number=2), user=only_open)

    created, total = certs.certificates_issue(contest=contest)

    names = {c.holder_name for c in Certificate.objects.filter(kind=Certificate.Kind.PARTICIPATION)}
    assert (created, total) == (3, 3)
    assert "Chỉ mở bài" not in names and len(names) == 3


def test_prize_certificate_only_once_verified_and_published(known_contest):  # noqa: F811
    contest, _tax, _power = known_contest
    certs.certificates_issue(contest=contest)
    assert Certificate.objects.filter(kind=Certificate.Kind.QUIZ_PRIZE).count() == 0  # a draft prize

    prize, _secretary = _publish_week1(contest)
    certs.certificates_issue(contest=contest)

    cert = Certificate.objects.get(kind=Certificate.Kind.QUIZ_PRIZE)
    assert (cert.user_id, cert.prize_id, cert.tier, cert.subject) == (prize.user_id, prize.pk, PrizeTier.FIRST, "Tuần thi thứ 1")
    assert cert.unit_name == "Đảng bộ Cục Thuế tỉnh"


def test_issuing_again_keeps_every_code(known_contest):  # noqa: F811
    contest, _tax, _power = known_contest
    _publish_week1(contest)
    certs.certificates_issue(contest=contest)
    before = dict(Certificate.objects.values_list("pk", "code"))

    created, total = certs.certificates_issue(contest=contest)

    assert (created, total) == (0, 4)
    assert dict(Certificate.objects.values_list("pk", "code")) == before
    assert all(len(code) == 10 for code in before.values())


def test_the_task_twice_issues_once_and_reports_progress(client, known_contest, django_capture_on_commit_callbacks):  # noqa: F811
    contest, _tax, _power = known_contest
    client.force_login(staff_user(Role.SECRETARIAT))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/reports/certificates/")
    job = ExportJob.objects.get(kind="certificates")
    run_certificates(job_id=job.pk)  # a redelivered task
    job.refresh_from_db()
    assert response["Location"] == f"/reports/certificates/jobs/{job.pk}/"
    assert (job.status, job.rows_done, job.rows_total) == ("done", 3, 3)
    page = client.get(response["Location"]).content.decode()
    assert "3/3 giấy" in page and 'http-equiv="refresh"' not in page

    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING)
    run_certificates(job_id=job.pk)  # even one that runs the whole issue again: nothing left to issue
    job.refresh_from_db()
    assert (job.status, job.rows_done, job.rows_total) == ("done", 0, 0)
    assert Certificate.objects.count() == 3


def test_progress_counts_this_runs_certificates_not_the_ones_issued_before(known_contest):  # noqa: F811
    contest, _tax, _power = known_contest
    certs.certificates_issue(contest=contest)
    issued = Certificate.objects.count()
    Certificate.objects.filter(pk=Certificate.objects.order_by("pk").first().pk).delete()  # one is missing again
    calls = []
    created, total = certs.certificates_issue(contest=contest, progress=lambda done, n: calls.append((done, n)))
    assert (created, total) == (1, issued)
    assert calls == [(0, 1), (1, 1)]  # never «2/3» before the run has done anything


def test_essay_prize_gives_each_author_a_certificate_the_submitter_downloads(known_contest):  # noqa: F811
    contest, tax, _power = known_contest
    essay = EssayFactory(phase__contest=contest, status=EssayStatus.SUBMITTED, eligibility=Eligibility.ELIGIBLE)
    # bulk_create: the essay is screened, its authors are frozen for every other path.
    EssayAuthor.objects.bulk_create([EssayAuthor(essay=essay, name="Đồng tác giả", organization=tax, phone="0912000111")])
    EssayPrize.objects.create(essay=essay, tier=PrizeTier.SECOND, rank=2, status=PrizeStatus.VERIFIED)
    certs.certificates_issue(contest=contest)
    assert Certificate.objects.filter(kind=Certificate.Kind.ESSAY_PRIZE).count() == 0  # not published yet

    essay.published_at = timezone.now()
    essay.save()
    certs.certificates_issue(contest=contest)

    issued = Certificate.objects.filter(kind=Certificate.Kind.ESSAY_PRIZE)
    assert sorted(c.holder_name for c in issued) == sorted([essay.submitter.full_name, "Đồng tác giả"])
    assert {c.user_id for c in issued} == {essay.submitter_id}
    assert "Đạt Giải Nhì phần thi viết" in certs.certifies(issued[0])


# --- verification ---------------------------------------------------------------------------


def test_verify_page_is_public_and_says_what_it_certifies(client, known_contest):  # noqa: F811
    contest, _tax, _power = known_contest
    prize, _s = _publish_week1(contest)
    certs.certificates_issue(contest=contest)
    cert = Certificate.objects.get(kind=Certificate.Kind.QUIZ_PRIZE)

    response = client.get(f"/verify/{cert.code}/")

    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-verify="valid"' in page and prize.user.full_name in page
    assert "Đạt Giải Nhất phần thi trắc nghiệm trực tuyến, Tuần thi thứ 1." in page and contest.name in page


def test_verify_accepts_the_code_as_typed_from_paper(client, known_contest):  # noqa: F811
    contest, _tax, _power = known_contest
    certs.certificates_issue(contest=contest)
    cert = Certificate.objects.first()
    typed = certs.display_code(cert.code).lower()

    from_form = client.get("/verify/", {"code": typed})
    from_address = client.get(f"/verify/{typed}/")

    assert (from_form.status_code, from_form["Location"]) == (302, f"/verify/{cert.code}/")
    assert (from_address.status_code, from_address["Location"]) == (302, f"/verify/{cert.code}/")


def test_unknown_code_is_a_clear_404(client, db):
    response = client.get("/verify/ABCDE12345/")

    assert response.status_code == 404
    assert "Không có giấy chứng nhận nào mang mã «ABCDE12345»" in response.content.decode()


def test_guessing_codes_is_stopped(client, db):
    statuses = [client.get(f"/verify/{certs.new_code()}/").status_code for _i in range(21)]

    assert statuses[:20] == [404] * 20
    assert statuses[20] == 429


def test_invalid_prize_after_publication_revokes_its_certificate(client, known_contest):  # noqa: F811
    contest, _tax, _power = known_contest
    prize, secretary = _publish_week1(contest)
    certs.certificates_issue(contest=contest)
    cert = Certificate.objects.get(kind=Certificate.Kind.QUIZ_PRIZE)

    prize_amend(prize=prize, by=secretary, valid=False, reason="Dùng hai tài khoản")

    page = client.get(f"/verify/{cert.code}/").content.decode()
    assert 'data-verify="revoked"' in page and "đã bị thu hồi" in page
    owner = prize.user
    client.force_login(owner)
    assert client.get(f"/certificates/{cert.pk}/pdf/").status_code == 404  # a revoked one is not handed out


def test_disqualified_contestant_participation_is_revoked(client, known_contest):  # noqa: F811
    contest, _tax, _power = known_contest
    certs.certificates_issue(contest=contest)
    cert = Certificate.objects.filter(kind=Certificate.Kind.PARTICIPATION).order_by("pk").first()

    RoundEntry.objects.filter(user=cert.user).update(disqualified=True, disqualified_reason="Gian lận")

    assert 'data-verify="revoked"' in client.get(f"/verify/{cert.code}/").content.decode()
    assert certs.certificates_issue(contest=contest) == (0, 2)  # and no new one is issued


# --- the PDF and who gets it ----------------------------------------------------------------


def test_owner_downloads_a_pdf_with_embedded_fonts(client, known_contest, settings):  # noqa: F811
    settings.SITE_URL = "https://cuocthi.example.vn"
    contest, _tax, _power = known_contest
    certs.certificates_issue(contest=contest)
    cert = Certificate.objects.filter(kind=Certificate.Kind.PARTICIPATION).first()
    client.force_login(cert.user)

    response = client.get(f"/certificates/{cert.pk}/pdf/")

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    pdf = response.content
    assert pdf.startswith(b"%PDF")
    assert pdf.count(b"/FontFile2") == 2  # both TrueType fonts embedded (subsets)
    assert b"NotoSerif" in pdf and b"NotoSerif-Bold" in pdf


def test_another_contestant_gets_404(client, known_contest):  # noqa: F811
    contest, _tax, _power = known_contest
    certs.certificates_issue(contest=contest)
    cert = Certificate.objects.first()

    client.force_login(contestant())
    assert client.get(f"/certificates/{cert.pk}/pdf/").status_code == 404
    client.logout()
    assert client.get(f"/certificates/{cert.pk}/pdf/").status_code == 404
    client.force_login(staff_user(Role.SECRETARIAT))
    assert client.get(f"/certificates/{cert.pk}/pdf/").status_code == 200


def test_hostile_names_are_printed_as_text():
    round = sealed_round()
    cert = Certificate(
        kind=Certificate.Kind.PARTICIPATION, code="ABCDE12345", contest=round.contest, user=contestant(),
        holder_name="<b>Nguyễn</b> & <font size=90>Ánh</font>", unit_name="<para>", issued_at=timezone.now(),
    )  # fmt: skip

    pdf = certs.certificate_pdf(cert, url="https://cuocthi.example.vn/verify/ABCDE12345/")

    assert pdf.startswith(b"%PDF")


def test_my_results_links_the_certificates(client, known_contest):  # noqa: F811
    contest, _tax, _power = known_contest
    prize, _s = _publish_week1(contest)
    certs.certificates_issue(contest=contest)
    client.force_login(prize.user)

    page = client.get("/quiz/my-results/").content.decode()

    ids = Certificate.objects.filter(user=prize.user).values_list("pk", flat=True)
    assert len(ids) == 2
    for pk in ids:
        assert f'href="/certificates/{pk}/pdf/"' in page


def test_certificates_page_is_for_the_office(client, db):
    sealed_round()
    client.force_login(contestant())
    assert client.get("/reports/certificates/").status_code == 403
    client.force_login(staff_user(Role.ORGANIZER))
    assert client.get("/reports/certificates/").status_code == 200


@given(st.text(alphabet=certs.CODE_ALPHABET, min_size=10, max_size=10))
def test_a_code_survives_being_read_and_typed(code):
    typed = certs.display_code(code).lower().replace("0", "o").replace("1", "l")

    assert certs.normalize_code(typed) == code
    assert certs.normalize_code(" " + typed + " ") == code


def test_my_results_block_costs_the_same_for_one_certificate_or_several(client, known_contest, django_assert_num_queries):  # noqa: F811
    contest, _tax, _power = known_contest
    certs.certificates_issue(contest=contest)
    winner = Prize.objects.get().user
    client.force_login(winner)
    client.get("/quiz/my-results/")
    with django_assert_num_queries(QUERIES["my_results"]):
        client.get("/quiz/my-results/")

    _publish_week1(contest)
    certs.certificates_issue(contest=contest)
    page = client.get("/quiz/my-results/").content.decode()
    assert "Ban Tổ chức sẽ gửi yêu cầu cung cấp thông tin nhận giải" in page  # not asked yet: no form
    wd.winner_details_request(winner=wd.winner_prize("quiz", Prize.objects.get().pk), by=staff_user(Role.SECRETARIAT))
    with django_assert_num_queries(QUERIES["my_results"]):
        page = client.get("/quiz/my-results/").content.decode()
    assert page.count("Tải giấy chứng nhận (PDF)") == 2 and "Cung cấp thông tin nhận giải" in page


def test_award_details_list_query_count(client, known_contest, django_assert_num_queries):  # noqa: F811
    contest, _tax, _power = known_contest
    _publish_week1(contest)
    client.force_login(staff_user(Role.SECRETARIAT))
    client.get("/reports/awards/")
    with django_assert_num_queries(QUERIES["awards"]):
        client.get("/reports/awards/")
    essay = EssayFactory(phase__contest=contest, status=EssayStatus.SUBMITTED, eligibility=Eligibility.ELIGIBLE)
    EssayPrize.objects.create(essay=essay, tier=PrizeTier.FIRST, rank=1, status=PrizeStatus.VERIFIED)
    with django_assert_num_queries(QUERIES["awards"]):
        client.get("/reports/awards/")


def test_the_certificate_is_signed_by_the_contests_signer(known_contest, monkeypatch):  # noqa: F811
    from reportlab.pdfgen.canvas import Canvas

    contest, _tax, _power = known_contest
    contest.doc_signer_authority, contest.doc_signer_title, contest.doc_signer_name = (
        "T/M Ban Thường vụ",
        "Phó Bí thư",
        "Cao Xuân Chiểu",
    )
    contest.save()
    certs.certificates_issue(contest=contest)
    cert = Certificate.objects.select_related("contest").filter(kind=Certificate.Kind.PARTICIPATION).first()
    drawn = []
    original = Canvas.drawCentredString
    monkeypatch.setattr(
        Canvas, "drawCentredString", lambda self, x, y, text, *a, **k: drawn.append(text) or original(self, x, y, text, *a, **k)
    )
    certs.certificate_pdf(cert, url="https://cuocthi.example.vn/verify/X/")
    # The same block as the contest's DOCX reports (contests.docx_party.signer).
    assert drawn[1:] == ["T/M BAN THƯỜNG VỤ", "PHÓ BÍ THƯ", "Cao Xuân Chiểu"]
