"""Private files: where they are stored, who gets them, the judges' blind copies, upload checks."""

import importlib
import io
from pathlib import Path

import pikepdf
import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import Resolver404, resolve, reverse
from docx import Document
from PIL import Image

from accounts.enums import Role
from essays import files, services
from essays.enums import Eligibility, EssayStatus, SheetStatus
from essays.models import Assignment, EssayFile, JudgingRound
from reports.models import ExportJob
from tests.essays import samples
from tests.essays.factories import EssayFactory
from tests.factories import ContestFactory, contestant, staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def attached(db):
    essay = EssayFactory(status=EssayStatus.SUBMITTED, eligibility=Eligibility.ELIGIBLE)
    record = EssayFile(essay=essay, kind="docx", original_name="Bài viết của Trần Văn Bút.docx", size=1)
    record.file.save(f"{essay.code}-1.docx", ContentFile(samples.docx()), save=False)
    EssayFile.objects.bulk_create([record])  # the essay is screened: frozen for every other path
    round = JudgingRound.objects.create(phase=essay.phase, name="Vòng sơ khảo", order=1)
    judge = staff_user(Role.JUDGE)
    sheet = Assignment.objects.create(round=round, essay=essay, judge=judge)
    return record, sheet


def _docx_author(content: bytes) -> str:
    return Document(io.BytesIO(content)).core_properties.author


def test_attachments_are_stored_outside_media_root(settings, attached):
    record, _sheet = attached
    path = Path(record.file.path)

    assert path.is_relative_to(Path(settings.PRIVATE_MEDIA_ROOT))
    assert not path.is_relative_to(Path(settings.MEDIA_ROOT))
    assert record.file.url == ""  # no public address


@pytest.mark.parametrize("who", ["author", "secretariat", "organizer"])
def test_author_and_staff_get_the_file_as_uploaded(client, attached, who):
    record, _sheet = attached
    user = {"author": record.essay.submitter}.get(who) or staff_user(who)
    client.force_login(user)

    response = client.get(reverse("essays:file", args=[record.pk]))

    assert response.status_code == 200
    assert _docx_author(b"".join(response.streaming_content)) == samples.AUTHOR
    assert "no-store" in response["Cache-Control"]


def test_judge_of_the_essay_gets_a_blind_copy(client, attached):
    record, sheet = attached
    client.force_login(sheet.judge)

    for url in (reverse("judging:file", args=[sheet.pk, 1]), reverse("essays:file", args=[record.pk])):
        response = client.get(url)

        assert response.status_code == 200
        assert f'filename="{record.essay.code}-1.docx"' in response["Content-Disposition"]
        properties = Document(io.BytesIO(response.content)).core_properties
        assert (properties.author, properties.last_modified_by, properties.title, properties.comments) == ("", "", "", "")
        assert samples.AUTHOR.encode() not in response.content


def test_judge_file_numbers_outside_the_sheet_are_not_found(client, attached):
    _record, sheet = attached
    client.force_login(sheet.judge)
    assert client.get(reverse("judging:file", args=[sheet.pk, 2])).status_code == 404


@pytest.mark.parametrize("who", ["other_judge", "conflicted_judge", "contestant"])
def test_others_get_nothing(client, attached, who):
    record, sheet = attached
    if who == "conflicted_judge":
        Assignment.objects.filter(pk=sheet.pk).update(status=SheetStatus.CONFLICT)
        user = sheet.judge
    else:
        user = staff_user(Role.JUDGE) if who == "other_judge" else contestant()
    client.force_login(user)

    assert client.get(reverse("essays:file", args=[record.pk])).status_code == 404
    expected = 403 if who == "contestant" else 404  # the jury portal refuses non-judges outright
    assert client.get(reverse("judging:file", args=[sheet.pk, 1])).status_code == expected


def test_anonymous_is_sent_to_log_in(client, attached):
    record, sheet = attached
    for url in (reverse("essays:file", args=[record.pk]), reverse("judging:file", args=[sheet.pk, 1])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_media_urls_serve_nothing_with_debug_on_or_off(client, settings, attached):
    record, _sheet = attached
    assert client.get(f"/media/{record.file.name}").status_code == 404
    import contest_site.urls

    settings.DEBUG = True
    try:
        module = importlib.reload(contest_site.urls)
        with pytest.raises(Resolver404):
            resolve(f"/media/{record.file.name}", urlconf=module)
    finally:
        settings.DEBUG = False
        importlib.reload(contest_site.urls)


def test_screening_page_and_author_page_link_the_attachments(client, attached):
    record, _sheet = attached
    link = reverse("essays:file", args=[record.pk])
    client.force_login(staff_user(Role.SECRETARIAT))
    assert link in client.get(reverse("essays:manage_screen", args=[record.essay.pk])).content.decode()
    client.force_login(record.essay.submitter)
    assert link in client.get(reverse("essays:mine_detail", args=[record.essay.pk])).content.decode()


def test_a_pdf_whose_metadata_cannot_be_removed_is_not_given_to_the_judge(client, attached):
    record, sheet = attached
    record.file.save(f"{record.essay.code}-1.pdf", ContentFile(samples.pikepdf_pdf(encrypted=True)), save=False)
    EssayFile.objects.filter(pk=record.pk).update(kind="pdf", file=record.file.name)  # screened: frozen to save()
    client.force_login(sheet.judge)

    response = client.get(reverse("judging:file", args=[sheet.pk, 1]), follow=True)

    assert response.redirect_chain[-1][0] == reverse("judging:sheet", args=[sheet.pk])
    assert "Không thể tự động xóa thông tin tác giả" in response.content.decode()


# --- Blind copies, byte level ------------------------------------------------------------------------


@pytest.mark.parametrize("compressed_metadata", [False, True])
def test_blind_pdf_keeps_its_pages_and_loses_its_author(compressed_metadata):
    original = samples.pdf(compressed_metadata=compressed_metadata)

    blind = files.blind_copy(original, "pdf")

    assert files.is_pdf(blind)
    assert b"Tran Van But" not in blind
    assert samples.AUTHOR.encode("utf-16-be").hex().upper().encode() not in blind
    assert b"Microsoft Word" not in blind
    with pikepdf.open(io.BytesIO(blind)) as pdf:
        assert len(pdf.pages) == 1
        assert "/Info" not in pdf.trailer
        assert "/Metadata" not in pdf.Root


def _strings_of(pdf: pikepdf.Pdf) -> str:
    """Every string and every decoded stream of the PDF, as text (to look for a name anywhere)."""
    found = []
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Stream):
            found.append(obj.read_bytes().decode("latin-1"))
            obj = obj.stream_dict
        found.append(repr(obj))
    return "\n".join(found)


def test_blind_pdf_written_by_a_pdf_library_loses_author_and_creator_from_info_xmp_and_comments():
    original = samples.pikepdf_pdf()
    with pikepdf.open(io.BytesIO(original)) as pdf:  # the sample does carry them, in both places
        assert pdf.docinfo["/Author"] == samples.AUTHOR
        assert samples.AUTHOR_ASCII in str(pdf.docinfo["/Creator"])
        with pdf.open_metadata() as meta:
            assert meta["dc:creator"] == [samples.AUTHOR_ASCII]
            assert samples.AUTHOR_ASCII in meta["xmp:CreatorTool"]
        assert samples.AUTHOR_ASCII in _strings_of(pdf)

    blind = files.blind_copy(original, "pdf")

    assert files.is_pdf(blind)
    with pikepdf.open(io.BytesIO(blind)) as pdf:  # it still opens, with its page, text and comment
        assert len(pdf.pages) == 1
        assert b"Bai viet du thi" in pdf.pages[0].Contents.read_bytes()
        assert [str(a.Contents) for a in pdf.pages[0].Annots] == ["Sửa lại đoạn này"]
        assert "/Info" not in pdf.trailer
        assert "/Metadata" not in pdf.Root
        everything = _strings_of(pdf)
        with pdf.open_metadata() as meta:
            assert "dc:creator" not in meta
            assert "xmp:CreatorTool" not in meta
    assert samples.AUTHOR_ASCII not in everything
    assert samples.AUTHOR not in everything
    assert "Microsoft Word" not in everything


@pytest.mark.parametrize(("kind", "make"), [("jpeg", samples.jpeg), ("png", samples.png)])
def test_blind_images_are_written_again_by_pillow_without_their_metadata(kind, make):
    original = make()
    assert b"Tran Van But" in original

    blind = files.blind_copy(original, kind)

    assert files.CHECKS[kind](blind)
    assert b"Tran Van But" not in blind
    with Image.open(io.BytesIO(blind)) as image:
        assert image.format == kind.upper() and image.size == (8, 6)
        assert dict(image.getexif()) == {}
        assert not {"comment", "xmp", "exif", "Author", "Description"} & set(image.info)


def test_a_blind_photo_is_turned_upright_by_its_exif_orientation():
    blind = files.blind_copy(samples.jpeg(orientation=6), "jpeg")  # taken with the phone on its side

    with Image.open(io.BytesIO(blind)) as image:
        assert image.size == (6, 8)
        assert dict(image.getexif()) == {}


@pytest.mark.parametrize(
    ("kind", "data"), [("jpeg", b"\xff\xd8\xff\xe0 not really an image \xff\xd9"), ("png", b"\x89PNG\r\n\x1a\n")]
)
def test_images_pillow_cannot_read_are_refused(kind, data):
    with pytest.raises(files.BlindCopyError):
        files.blind_copy(data, kind)


@pytest.mark.parametrize("data", [samples.pikepdf_pdf(encrypted=True), samples.pdf()[:200]], ids=["encrypted", "truncated"])
def test_pdfs_that_cannot_be_blinded_safely_are_refused(data):
    with pytest.raises(files.BlindCopyError):
        files.blind_copy(data, "pdf")


# --- Upload checks -----------------------------------------------------------------------------------


def _upload(name, content):
    return SimpleUploadedFile(name, content)


def test_html_that_starts_like_a_pdf_is_refused_with_a_vietnamese_message():
    page = b"%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>"

    kind, problem = files.check_upload(_upload("bai.pdf", page))

    assert kind is None
    assert problem == "Tệp «bai.pdf» không phải tệp PDF hợp lệ (thiếu cấu trúc của tệp PDF); hãy xuất lại tệp PDF."


def test_a_pdf_with_a_startxref_pointing_nowhere_is_refused():
    original = samples.pdf()
    broken = original.replace(b"startxref\n", b"startxref\n9", 1)
    assert files.check_upload(_upload("bai.pdf", broken))[0] is None


def test_a_zip_without_word_parts_is_refused():
    buffer = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")  # python-docx cannot open it
    kind, problem = files.check_upload(_upload("bai.docx", buffer.getvalue()))
    assert (kind, "DOCX" in problem) == (None, True)


def test_accepted_upload_is_stored_privately_under_a_neutral_name(settings):
    essay = EssayFactory()

    record = services.essay_file_add(essay=essay, upload=_upload("Bài của Trần Văn Bút.docx", samples.docx()), kind="docx")

    assert Path(record.file.path).is_relative_to(Path(settings.PRIVATE_MEDIA_ROOT))
    assert record.file.name.rsplit("/", 1)[-1] == f"{essay.code}-1.docx"
    assert record.original_name == "Bài của Trần Văn Bút.docx"


# --- Export workbooks --------------------------------------------------------------------------------


def _export(requested_by):
    job = ExportJob.objects.create(kind="attempts", contest=ContestFactory(), requested_by=requested_by, status="done")
    job.file.save("bai-thi.xlsx", ContentFile(b"PK\x03\x04 workbook"))
    return job


@pytest.mark.parametrize(("who", "status"), [("requester", 200), ("organizer", 200), ("judge", 403), ("contestant", 403)])
def test_export_files_only_for_requester_and_staff(client, settings, who, status):
    requester = staff_user(Role.SECRETARIAT)
    job = _export(requester)
    user = {"requester": requester, "organizer": staff_user(Role.ORGANIZER), "judge": staff_user(Role.JUDGE)}.get(
        who
    ) or contestant()
    client.force_login(user)

    response = client.get(reverse("reports:export_file", args=[job.pk]))

    assert response.status_code == status
    assert Path(job.file.path).is_relative_to(Path(settings.PRIVATE_MEDIA_ROOT))
    assert client.get(f"/media/{job.file.name}").status_code == 404
