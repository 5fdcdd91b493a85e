import pytest
from django.core.files.base import ContentFile

from contests.enums import ContestStatus
from contests.models import FAQ, ReferenceDocument
from tests.budgets import QUERIES
from tests.factories import ContestFactory, contestant

pytestmark = pytest.mark.django_db


def test_home_shows_the_open_contest_and_a_call_to_action(client):
    ContestFactory(name="Cuộc thi Đảng viên tốt, chi bộ kiểu mẫu", status=ContestStatus.PUBLISHED)
    ContestFactory(name="Cuộc thi năm sau", status=ContestStatus.DRAFT)
    ContestFactory(name="Cuộc thi năm 2021", status=ContestStatus.ARCHIVED)

    html = client.get("/").content.decode()

    assert "<h1>Cuộc thi Đảng viên tốt, chi bộ kiểu mẫu</h1>" in html
    assert "Đăng ký dự thi" in html
    assert "Cuộc thi năm 2021" in html
    assert "Cuộc thi năm sau" not in html
    assert 'lang="vi"' in html


def test_home_without_any_contest_says_so(client):
    assert "Chưa có cuộc thi nào đang diễn ra" in client.get("/").content.decode()


def test_home_query_count_is_constant(client, django_assert_num_queries):
    # the contest, past contests, the open rounds, the open essay phases
    contest = ContestFactory()
    ContestFactory(status=ContestStatus.ARCHIVED)
    client.get("/")  # warm the session and caches
    with django_assert_num_queries(QUERIES["home"]):
        client.get("/")
    for _ in range(3):
        ContestFactory(status=ContestStatus.ARCHIVED)
    with django_assert_num_queries(QUERIES["home"]):
        client.get("/")
    assert contest


def test_rules_markdown_is_rendered_and_sanitized(client):
    contest = ContestFactory(rules='## Đối tượng\n**Đảng viên** <script>alert(1)</script> <a href="javascript:x()">x</a>')

    html = client.get(f"/contests/{contest.slug}/rules/").content.decode()

    assert "<h2>Đối tượng</h2>" in html
    assert "<strong>Đảng viên</strong>" in html
    assert "<script>alert(1)</script>" not in html
    assert "javascript:" not in html


def test_current_rules_redirects_to_the_open_contest(client):
    contest = ContestFactory()
    response = client.get("/rules/")
    assert response["Location"] == f"/contests/{contest.slug}/rules/"


def test_draft_contest_pages_are_hidden(client):
    draft = ContestFactory(status=ContestStatus.DRAFT)
    assert client.get(f"/contests/{draft.slug}/rules/").status_code == 404


def test_documents_list_and_download(client):
    contest = ContestFactory()
    doc = ReferenceDocument(contest=contest, title="Điều lệ Đảng", description="Bản đầy đủ")
    doc.file.save("dieu-le.txt", ContentFile("Điều lệ Đảng".encode()), save=True)

    html = client.get(f"/contests/{contest.slug}/documents/").content.decode()
    response = client.get(f"/documents/{doc.pk}/download/")

    assert "Điều lệ Đảng" in html
    assert response.status_code == 200
    assert b"".join(response.streaming_content).decode() == "Điều lệ Đảng"
    assert "attachment" in response["Content-Disposition"]


def test_faq_and_contact(client):
    contest = ContestFactory(hotline="0216 3 852 000", contact_email="cuocthi@example.vn")
    FAQ.objects.create(contest=contest, question="Thi mấy lần?", answer="Nhiều lần.")

    html = client.get(f"/contests/{contest.slug}/faq/").content.decode()

    assert "Thi mấy lần?" in html
    assert 'href="tel:02163852000"' in html
    assert "cuocthi@example.vn" in html


def test_navigation_changes_with_role(client, organizer, judge):
    ContestFactory()
    assert "Đăng nhập" in client.get("/").content.decode()

    client.force_login(contestant())
    html = client.get("/").content.decode()
    assert "Đăng xuất" in html
    assert "Quản trị" not in html
    assert "Chấm bài" not in html

    client.force_login(organizer)
    html = client.get("/").content.decode()
    assert "Quản trị" in html
    assert "Sơ loại bài viết" in html

    client.force_login(judge)
    assert "Chấm bài" in client.get("/").content.decode()


def test_healthz_is_liveness_and_readyz_reports_the_dependencies(client):
    assert client.get("/healthz/").json() == {"status": "ok"}
    ready = client.get("/readyz/")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok", "database": True, "cache": True}


def test_site_is_vietnamese_even_for_an_english_phone(client):
    ContestFactory()
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="vi">' in html


def test_language_switcher_turns_english_on(client):
    ContestFactory()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert '<html lang="en">' in client.get("/").content.decode()
