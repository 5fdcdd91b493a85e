import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from essays import services
from essays.enums import Eligibility, EssayStatus
from essays.models import Essay, EssayFile
from tests.budgets import QUERIES
from tests.essays import samples
from tests.essays.factories import BODY, EssayFactory, EssayPhaseFactory
from tests.factories import OrganizationFactory, contestant, staff_user

pytestmark = pytest.mark.django_db


def _post_data(org, **overrides):
    data = {
        "title": "Chi bộ Phòng Tổng hợp – ngọn cờ đầu",
        "subject_kind": "collective",
        "subject_name": "Chi bộ Phòng Tổng hợp",
        "subject_organization": org.pk,
        "body": "## Mở đầu\n\n" + BODY,
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


def test_contestant_drafts_then_submits_and_gets_a_code(client):
    phase = EssayPhaseFactory()
    org = OrganizationFactory()
    user = contestant()
    client.force_login(user)

    response = client.post(reverse("essays:new"), _post_data(org))
    essay = Essay.objects.get()
    assert response["Location"] == reverse("essays:mine_detail", args=[essay.pk])
    assert (essay.status, essay.phase, essay.submitter) == (EssayStatus.DRAFT, phase, user)
    assert essay.code == f"BV-{phase.opens_at.year}-{essay.pk:04d}"
    assert essay.authors.get().phone == "0912345678"

    # The phase expects an attachment and there is none: a page asks first (no JavaScript).
    page = client.post(reverse("essays:submit", args=[essay.pk])).content.decode()
    essay.refresh_from_db()
    assert essay.status == EssayStatus.DRAFT
    assert "data-confirm-no-attachment" in page and 'name="without_attachment" value="1"' in page

    page = client.post(reverse("essays:submit", args=[essay.pk]), {"without_attachment": "1"}, follow=True).content.decode()
    essay.refresh_from_db()
    assert essay.status == EssayStatus.SUBMITTED
    assert f"Mã bài dự thi của anh/chị là {essay.code}" in page
    assert "<h2>Mở đầu</h2>" in page


def test_the_attachment_is_in_the_essay_forms_flow_and_then_no_confirmation(client):
    """The essay form carries the attachment (after the text and authors, before «Lưu bài viết»);
    with a file «Nộp bài» submits at once."""
    EssayPhaseFactory()
    org = OrganizationFactory()
    client.force_login(contestant())
    form = client.get(reverse("essays:new")).content.decode()
    assert 'enctype="multipart/form-data"' in form
    assert form.index('name="body"') < form.index('name="attachment-file"') < form.index("Lưu bài viết")

    upload = SimpleUploadedFile("bai-viet.docx", samples.docx())
    client.post(reverse("essays:new"), _post_data(org, **{"attachment-file": upload}))
    essay = Essay.objects.get()
    assert essay.files.get().original_name == "bai-viet.docx"
    detail = client.get(reverse("essays:mine_detail", args=[essay.pk])).content.decode()
    # The upload and «Nộp bài» come before the essay's full text on its page.
    assert detail.index("data-attachments") < detail.index("data-submit-step") < detail.index("essay-full")
    assert "data-attachment-missing" not in detail

    client.post(reverse("essays:submit", args=[essay.pk]))
    essay.refresh_from_db()
    assert essay.status == EssayStatus.SUBMITTED


def test_a_bad_attachment_on_the_essay_form_keeps_the_form(client):
    EssayPhaseFactory()
    client.force_login(contestant())
    upload = SimpleUploadedFile("trang.html", b"<script>alert(1)</script>")
    page = client.post(reverse("essays:new"), _post_data(OrganizationFactory(), **{"attachment-file": upload})).content.decode()
    assert "không phải DOCX, PDF, JPEG hoặc PNG" in page
    assert "<script>alert(1)</script>" not in page
    assert Essay.objects.count() == 0


def test_a_file_chosen_on_a_form_with_errors_is_asked_again(client):
    EssayPhaseFactory()
    client.force_login(contestant())
    upload = SimpleUploadedFile("bai-viet.docx", samples.docx())
    page = client.post(reverse("essays:new"), _post_data(OrganizationFactory(), title="", **{"attachment-file": upload}))
    assert "Vui lòng chọn lại tệp sau khi sửa các lỗi ở trên." in page.content.decode()
    assert Essay.objects.count() == 0


def test_no_confirmation_when_the_rules_expect_no_attachment(client):
    essay = EssayFactory(phase=EssayPhaseFactory(expects_attachment=False))
    client.force_login(essay.submitter)
    assert "data-attachment-missing" not in client.get(reverse("essays:mine_detail", args=[essay.pk])).content.decode()
    client.post(reverse("essays:submit", args=[essay.pk]))
    essay.refresh_from_db()
    assert essay.status == EssayStatus.SUBMITTED


def test_the_service_refuses_a_submission_without_the_expected_attachment_unless_confirmed():
    essay = EssayFactory()
    assert services.attachment_missing(essay)
    with pytest.raises(services.AttachmentMissing, match="Thể lệ yêu cầu gửi kèm tệp"):
        services.essay_submit(essay=essay, user=essay.submitter)
    essay.refresh_from_db()
    assert essay.status == EssayStatus.DRAFT
    services.essay_submit(essay=essay, user=essay.submitter, without_attachment=True)
    essay.refresh_from_db()
    assert essay.status == EssayStatus.SUBMITTED


def test_submitting_twice_keeps_the_first_time(client):
    essay = EssayFactory(phase=EssayPhaseFactory(expects_attachment=False))
    client.force_login(essay.submitter)
    client.post(reverse("essays:submit", args=[essay.pk]))
    essay.refresh_from_db()
    first = essay.submitted_at
    page = client.post(reverse("essays:submit", args=[essay.pk]), follow=True).content.decode()
    essay.refresh_from_db()
    assert essay.submitted_at == first
    assert "Bài viết đã được nộp trước đó" in page


def test_submission_rules_give_clear_messages(client):
    EssayPhaseFactory(min_words=1500)
    user = contestant()
    client.force_login(user)
    client.post(reverse("essays:new"), _post_data(OrganizationFactory(), declares_real=""))
    essay = Essay.objects.get()

    page = client.post(reverse("essays:submit", args=[essay.pk]), follow=True).content.decode()

    assert "thể lệ yêu cầu từ 1.500 đến 3.000 chữ" in page or "thể lệ yêu cầu từ 1500 đến 3000 chữ" in page
    assert "Cần cam kết bài viết về người thật, việc thật." in page
    assert Essay.objects.get().status == EssayStatus.DRAFT


def test_missing_author_phone_keeps_the_form(client):
    EssayPhaseFactory()
    client.force_login(contestant())
    response = client.post(reverse("essays:new"), _post_data(OrganizationFactory(), **{"authors-0-phone": "123"}))
    html = response.content.decode()
    assert "Số điện thoại di động không hợp lệ" in html
    assert "Chi bộ Phòng Tổng hợp – ngọn cờ đầu" in html
    assert Essay.objects.count() == 0


def test_another_contestants_essay_is_not_found(client):
    essay = EssayFactory()
    client.force_login(contestant())
    for name in ("essays:mine_detail", "essays:edit"):
        assert client.get(reverse(name, args=[essay.pk])).status_code == 404
    for name in ("essays:submit", "essays:withdraw", "essays:file_upload"):
        assert client.post(reverse(name, args=[essay.pk])).status_code == 404


def test_no_edit_after_the_phase_closes():
    essay = EssayFactory(
        phase=EssayPhaseFactory(
            closes_at=timezone.now() - datetime.timedelta(minutes=1), opens_at=timezone.now() - datetime.timedelta(days=9)
        )
    )
    with pytest.raises(services.EssayError, match="Giai đoạn nhận bài đã kết thúc"):
        services.essay_submit(essay=essay, user=essay.submitter)


def test_withdraw(client):
    essay = EssayFactory()
    client.force_login(essay.submitter)
    client.post(reverse("essays:withdraw", args=[essay.pk]))
    essay.refresh_from_db()
    assert essay.status == EssayStatus.WITHDRAWN


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("bai-viet.docx", samples.docx(), None),
        ("bai-viet.pdf", samples.pdf(), None),
        ("anh.jpg", samples.jpeg(), None),
        ("anh.png", samples.png(), None),
        ("virus.pdf", b"MZ\x90\x00 not a pdf", "không phải DOCX, PDF, JPEG hoặc PNG"),
        ("bai-viet.docx", b"PK\x03\x04 broken zip", "không phải tệp Word (DOCX) hợp lệ"),
        ("trang.html", b"<script>alert(1)</script>", "không phải DOCX, PDF, JPEG hoặc PNG"),
        ("bai-viet.pdf", b"%PDF-1.7 ...", "không phải tệp PDF hợp lệ"),
    ],
    # Named: a sample made at collection (the DOCX's zip carries its time) must give the same id
    # in every pytest-xdist worker.
    ids=["docx", "pdf", "jpeg", "png", "exe-named-pdf", "broken-docx", "html", "broken-pdf"],
)
def test_uploads_are_checked_by_content(client, name, content, problem):
    essay = EssayFactory()
    client.force_login(essay.submitter)
    page = client.post(
        reverse("essays:file_upload", args=[essay.pk]), {"file": SimpleUploadedFile(name, content)}, follow=True
    ).content.decode()
    assert EssayFile.objects.filter(essay=essay).exists() is (problem is None)
    if problem:
        assert problem in page


def test_screening_by_the_secretariat_is_shown_to_the_author(client):
    essay = EssayFactory(status=EssayStatus.SUBMITTED)
    client.force_login(staff_user(Role.SECRETARIAT))
    response = client.post(
        reverse("essays:manage_screen", args=[essay.pk]),
        {"eligible": "0", "reasons": ["not_real", "length"], "note": "Thiếu số liệu"},
    )
    assert response.status_code == 302
    essay.refresh_from_db()
    assert (essay.eligibility, essay.screening_reasons) == (Eligibility.INELIGIBLE, ["not_real", "length"])

    client.force_login(essay.submitter)
    html = client.get(reverse("essays:mine_detail", args=[essay.pk])).content.decode()
    assert "Không đủ điều kiện" in html
    assert "Không phải người thật, việc thật" in html
    assert "Thiếu số liệu" in html


def test_ineligible_needs_a_reason(client):
    essay = EssayFactory(status=EssayStatus.SUBMITTED)
    client.force_login(staff_user(Role.SECRETARIAT))
    page = client.post(reverse("essays:manage_screen", args=[essay.pk]), {"eligible": "0"}, follow=True).content.decode()
    assert "Cần chọn ít nhất một lý do" in page


def test_essay_body_is_sanitized(client):
    essay = EssayFactory(body="Đoạn một <script>alert('x')</script> <img src=x onerror=alert(1)>")
    client.force_login(essay.submitter)
    html = client.get(reverse("essays:mine_detail", args=[essay.pk])).content.decode()
    assert "<script>alert" not in html
    assert "onerror" not in html


def test_screening_list_query_count_is_constant(client, django_assert_num_queries):
    phase = EssayPhaseFactory()
    EssayFactory(phase=phase, status=EssayStatus.SUBMITTED)
    client.force_login(staff_user(Role.SECRETARIAT))
    client.get(reverse("essays:manage"))
    with django_assert_num_queries(QUERIES["essay_screening"]):
        client.get(reverse("essays:manage"))
    for _ in range(3):
        EssayFactory(phase=phase, status=EssayStatus.SUBMITTED)
    with django_assert_num_queries(QUERIES["essay_screening"]):
        client.get(reverse("essays:manage"))


def test_the_screening_page_says_why_the_book_is_empty_until_an_essay_is_published(client):
    phase = EssayPhaseFactory()
    essay = EssayFactory(phase=phase, status=EssayStatus.SUBMITTED)
    client.force_login(staff_user(Role.SECRETARIAT))
    note = "chưa có bài nào được đăng nên tuyển tập còn trống"
    assert note in client.get(reverse("essays:manage")).content.decode()
    organizer = staff_user(Role.ORGANIZER)
    services.essay_screen(essay=essay, by=staff_user(Role.SECRETARIAT), eligible=True, reasons=[], note="")
    services.essay_publish(essay=essay, by=organizer)
    assert note not in client.get(reverse("essays:manage")).content.decode()
