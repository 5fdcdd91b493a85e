"""Questions with images: the checks on an image, who sees it, the attempt page, the seal (format
2, format 1 files still verify), sealed images frozen, and the .zip import and export."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from openpyxl import Workbook, load_workbook
from PIL import Image

from accounts.enums import Role
from quiz.errors import SealedError
from quiz.excel import headers, import_questions
from quiz.images import MAX_SIDE, image_prepare
from quiz.models import Question, RoundSeal
from quiz.package import read_upload, write_package
from quiz.seal import FORMAT_V1, seal_content, seal_encode, seal_fingerprint, seal_parse, seal_verify
from quiz.services.attempts import attempt_start
from quiz.services.bank import question_image_set
from quiz.services.pool import round_pool_add
from quiz.services.rounds import round_approve
from tests.factories import contestant, staff_user
from tests.quiz.factories import QuestionFactory, RoundFactory

pytestmark = pytest.mark.django_db


def png(size=(300, 200), color=(200, 30, 30, 255), mode="RGBA") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, color if mode != "1" else 0).save(buffer, format="PNG")
    return buffer.getvalue()


def test_an_image_is_checked_and_written_again_as_webp():
    image = image_prepare(png((3200, 1000)), name="so-do.png")
    assert image.data[:4] == b"RIFF" and image.data[8:12] == b"WEBP"
    assert (image.width, image.height) == (MAX_SIDE, 500)  # the longer side brought down to MAX_SIDE
    assert image.name == f"questions/{image.sha256}.webp"
    with Image.open(io.BytesIO(image.data)) as again:
        assert again.size == (MAX_SIDE, 500) and not again.info.get("exif")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<html><script>alert(1)</script></html>", "không phải ảnh"),
        (png()[:60], "không phải ảnh"),  # cut short
        (png((8000, 6000), mode="1"), "quá nhiều điểm ảnh"),  # 48 megapixels in a few kilobytes
        (b"\x89PNG\r\n\x1a\n" + b"0" * (5 * 1024 * 1024), "lớn quá 5 MB"),
    ],
)
def test_anything_but_a_sane_image_is_refused(data, message):
    with pytest.raises(ValidationError) as exc:
        image_prepare(data, name="anh.png")
    assert message in exc.value.messages[0] and "anh.png" in exc.value.messages[0]


def _with_image(question, data=None):
    return question_image_set(question=question, image=image_prepare(data or png()), alt="Sơ đồ tổ chức")


def test_the_attempt_shows_the_image_lazily_and_only_those_who_drew_it_get_it(client):
    round = RoundFactory()
    questions = [QuestionFactory() for _ in range(20)]
    _with_image(questions[0])
    round_pool_add(round=round, question_ids=[q.pk for q in questions])
    round_approve(round=round, by=staff_user(Role.ORGANIZER))
    round.refresh_from_db()
    question = Question.objects.get(pk=questions[0].pk)
    player, other = contestant(), contestant()
    attempt = attempt_start(round=round, user=player)
    url = f"/quiz/images/{question.image_sha256}.webp"

    client.force_login(player)
    html = client.get(f"/quiz/attempts/{attempt.pk}/").content.decode()
    assert (
        f'<img class="question-image" src="{url}" width="300" height="200" loading="lazy" decoding="async" alt="Sơ đồ tổ chức">'
    ) in html
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/webp"
    assert response.content[8:12] == b"WEBP" and "private" in response["Cache-Control"]
    client.force_login(other)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 404
    client.force_login(staff_user(Role.SECRETARIAT))
    assert client.get(url).status_code == 200
    # Sealed: in the key file (format 2) and frozen.
    key = seal_parse(bytes(RoundSeal.objects.get(round=round).key_file))
    by_code = {q["code"]: q for q in key["questions"]}
    assert by_code[question.code]["image"] == question.image_sha256
    assert by_code[questions[1].code]["image"] is None
    assert seal_verify(round) == []
    with pytest.raises(SealedError):
        _with_image(question, png(color=(0, 0, 255, 255)))
    with pytest.raises(SealedError):
        question_image_set(question=question, remove=True)
    Question.objects.get(pk=question.pk).save()  # saved unchanged: fine
    # The backstop: a write around the service is refused by the signal.
    question.image_alt = "Khác"
    with pytest.raises(SealedError):
        question.save()


def test_a_key_file_of_format_1_still_verifies_and_names_a_later_image():
    round = RoundFactory()
    questions = [QuestionFactory() for _ in range(20)]
    round_pool_add(round=round, question_ids=[q.pk for q in questions])
    round_approve(round=round, by=staff_user(Role.ORGANIZER))
    round.refresh_from_db()
    # A round sealed before images existed: its stored file is of format 1.
    nonce = "ab" * 32
    data = seal_encode(seal_content(round, nonce=nonce, version=1))
    seal = RoundSeal.objects.get(round=round)
    old = RoundSeal(round_id=round.pk, key_file=data, sha256=seal_fingerprint(data), nonce=nonce)
    assert seal_parse(data)["format"] == FORMAT_V1 and "image" not in seal_parse(data)["questions"][0]
    _swap_seal(seal, old)
    assert seal_verify(round) == []
    # An image put on a sealed question behind the guards' back is named.
    Question.objects.filter(pk=questions[3].pk).update(image_sha256="f" * 64)
    assert any("có hình ảnh" in p and questions[3].code in p for p in seal_verify(round))


def _swap_seal(seal, replacement):
    """Put a format 1 file in place of the one just written (the table refuses UPDATE and the
    model refuses delete: as a round sealed before images existed, through raw SQL)."""
    from tests.insider import seal_triggers_off

    table = RoundSeal._meta.db_table
    with seal_triggers_off() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE id = %s", [seal.pk])  # noqa: S608
    RoundSeal.objects.bulk_create([replacement])


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _workbook(rows) -> bytes:
    wb = Workbook()
    wb.active.append(headers(images=True))
    for row in rows:
        wb.active.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


ROW = ["H1", "Điều lệ Đảng", "Sơ đồ nào đúng?", "Hình 1", "Hình 2", "Hình 3", "Hình 4", "A", "", "so-do.png", "Sơ đồ"]


def _import(data: bytes):
    package = read_upload(data)
    assert not package.error, package.error
    return import_questions(io.BytesIO(package.workbook), images=package.images)


def test_a_zip_of_the_workbook_and_its_images_imports_and_exports_round_trip():
    report = _import(_zip({"cau-hoi.xlsx": _workbook([ROW]), "anh/so-do.png": png()}))
    assert report.ok and report.created == 1
    question = Question.objects.get(code="H1")
    assert question.image_sha256 and (question.image_width, question.image_height, question.image_alt) == (300, 200, "Sơ đồ")

    buffer = io.BytesIO()
    assert write_package(buffer) == 1
    exported = buffer.getvalue()
    with zipfile.ZipFile(io.BytesIO(exported)) as archive:
        assert sorted(archive.namelist()) == ["cau-hoi.xlsx", f"hinh-anh/{question.image_sha256}.webp"]
        sheet = load_workbook(io.BytesIO(archive.read("cau-hoi.xlsx"))).active
        rows = list(sheet.values)
    assert rows[0][-2:] == ("Hình ảnh", "Mô tả hình ảnh")
    assert rows[1][-2:] == (f"{question.image_sha256}.webp", "Sơ đồ")
    again = _import(exported)
    assert again.ok and (again.created, again.updated, again.unchanged) == (0, 0, 1)


def test_the_commands_take_and_write_the_zip(tmp_path):
    source = tmp_path / "vao.zip"
    source.write_bytes(_zip({"cau-hoi.xlsx": _workbook([ROW]), "so-do.png": png()}))
    call_command("import_questions", str(source))
    target = tmp_path / "ra.zip"
    call_command("export_questions", str(target))
    assert zipfile.ZipFile(target).namelist()[0] == "cau-hoi.xlsx"


@pytest.mark.parametrize(
    ("members", "message"),
    [
        ({"cau-hoi.xlsx": b"", "../so-do.png": b"x"}, "tên tệp không hợp lệ"),
        ({"cau-hoi.xlsx": b"", "/etc/so-do.png": b"x"}, "tên tệp không hợp lệ"),
        ({"cau-hoi.xlsx": b"", "bom.png": b"\0" * (4 * 1024 * 1024)}, "bom nén"),
        ({"cau-hoi.xlsx": b"", "mo-ta.exe": b"MZ"}, "chỉ được gồm một tệp Excel"),
        ({"so-do.png": b"x"}, "đúng một tệp Excel"),
    ],
)
def test_a_dangerous_zip_is_refused_before_anything_is_read(members, message):
    package = read_upload(_zip(members))
    assert message in package.error


def test_nothing_is_half_imported():
    rows = [ROW, ["H2", "Điều lệ Đảng", "Câu hai?", "a", "b", "c", "d", "B", "", "hong.png", ""]]
    report = _import(_zip({"cau-hoi.xlsx": _workbook(rows), "so-do.png": png(), "hong.png": b"not an image"}))
    assert not report.ok and any("Dòng 3" in e and "hong.png" in e for e in report.errors)
    assert not Question.objects.exists()
    report = _import(_zip({"cau-hoi.xlsx": _workbook([ROW])}))
    assert any("không có ảnh «so-do.png»" in e for e in report.errors)
    wb = io.BytesIO(_workbook([ROW]))
    assert any("chỉ là tệp Excel" in e for e in import_questions(wb).errors)


def test_a_sealed_questions_image_cannot_change_through_the_import():
    _import(_zip({"cau-hoi.xlsx": _workbook([ROW]), "so-do.png": png()}))
    question = Question.objects.get(code="H1")
    round = RoundFactory()
    round_pool_add(round=round, question_ids=[question.pk] + [QuestionFactory().pk for _ in range(19)])
    round_approve(round=round, by=staff_user(Role.ORGANIZER))

    report = _import(_zip({"cau-hoi.xlsx": _workbook([ROW]), "so-do.png": png(color=(0, 0, 255, 255))}))

    assert not report.ok and "hình ảnh" in report.errors[0] and "niêm phong" in report.errors[0]
    assert Question.objects.get(code="H1").image_sha256 == question.image_sha256


def test_the_admin_uploads_an_image_and_refuses_a_bad_one(client):
    question = QuestionFactory()
    client.force_login(staff_user(Role.ORGANIZER))
    url = f"/admin/quiz/question/{question.pk}/change/"
    page = client.get(url)
    data = _admin_data(page)

    bad = client.post(url, {**data, "image_upload": io.BytesIO(b"GIF89a not really")})
    assert bad.status_code == 200 and "không phải ảnh" in bad.content.decode()
    upload = io.BytesIO(png())
    upload.name = "so-do.png"
    response = client.post(url, {**data, "image_upload": upload, "image_alt": "Sơ đồ"})
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.image_sha256 and question.image_alt == "Sơ đồ"
    assert f'src="/quiz/images/{question.image_sha256}.webp"' in client.get(url).content.decode()


def _admin_data(response) -> dict:
    from tests.admin.test_walk import _form_data

    return _form_data(response)


def test_the_worked_examples_of_both_formats_parse_and_match_their_fingerprints():
    """docs/seal.md: a file of format 1 (before images) and one of format 2 (with them)."""
    import re
    from pathlib import Path

    from django.conf import settings

    doc = (Path(settings.BASE_DIR) / "docs" / "seal.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```\n(.*?)\n```", doc, re.S)
    files = [(b + "\n").encode() for b in blocks if b.startswith('{"contest"')]
    prints = [b for b in blocks if re.fullmatch(r"[0-9a-f]{64}", b)]
    assert len(files) == 2 and len(prints) == 2
    for data, fingerprint in zip(files, prints):
        seal_parse(data)
        assert seal_fingerprint(data) == fingerprint
    assert [seal_parse(d)["format"] for d in files] == [FORMAT_V1, "niem-phong/2"]
