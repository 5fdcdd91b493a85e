"""Vietnamese garbled by a CSV round trip (UTF-8 read as cp1252) is refused at every workbook
import, with where and how to convert the file (contests.mojibake through read_first_sheet)."""

import io
import unicodedata

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from contests.mojibake import is_garbled, repaired, sheet_problem

VIETNAMESE_LETTERS = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
TONES = ["", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"]


def garble(text: str) -> str:
    """What a spreadsheet shows when a UTF-8 file is opened as Windows-1252 (the five bytes it
    leaves undefined read as Latin-1)."""
    out = []
    for byte in text.encode("utf-8"):
        try:
            out.append(bytes([byte]).decode("cp1252"))
        except UnicodeDecodeError:
            out.append(chr(byte))
    return "".join(out)


@st.composite
def vietnamese(draw, *, min_words=1):
    words = []
    for _ in range(draw(st.integers(min_value=min_words, max_value=6))):
        letters = draw(st.lists(st.sampled_from(VIETNAMESE_LETTERS), min_size=1, max_size=7))
        word = "".join(letters)
        tone = draw(st.sampled_from(TONES))
        word = unicodedata.normalize("NFC", word[0] + tone + word[1:]) if tone else word
        words.append(word.upper() if draw(st.booleans()) else word.capitalize() if draw(st.booleans()) else word)
    # Quotes as Vietnamese typography sets them: an opening one after a space, a closing one
    # before. («NGÃ“A», an opening quote glued to a word, is what «NGÓA» garbled looks like.)
    joiner = draw(st.sampled_from([" ", ", ", " – ", " «", "» ", " “", "” ", ". "]))
    return joiner.join(words)


@given(vietnamese())
def test_real_vietnamese_is_never_garbled(text):
    assert not is_garbled(text)


@given(vietnamese())
def test_garbled_vietnamese_is_found_and_told_back(text):
    if all(ord(ch) <= 0xFF for ch in text):  # a phrase of Latin-1 letters only: see the cases below
        return
    mangled = garble(text)

    assert is_garbled(mangled)
    assert repaired(mangled) == text


@pytest.mark.parametrize(
    "text",
    ["Thực hiện Nghị quyết", "Đảng bộ Cục Thuế tỉnh", "Hà", "Bà Rịa", "CÔNG TY", "Ủy ban", "ư", "café", "Điều lệ Đảng"],
)
def test_garbled_short_words_are_found(text):
    assert is_garbled(garble(text))


@pytest.mark.parametrize("text", ["NGÃ”", "«NGÃ»", "café", "Hà Nội", "Crème brûlée", "Ã", "12°C", "Đảng ủy Khối", "=1+1", ""])
def test_real_text_with_lookalike_pairs_is_not_garbled(text):
    assert not is_garbled(text)


def test_sheet_problem_names_the_cell_the_fix_and_the_way_to_convert():
    rows = [("Mã câu", "Lĩnh vực"), ("C001", garble("Điều lệ Đảng")), ("C002", garble("Thực hiện"))]

    message = sheet_problem(rows)

    assert "2 ô" in message and "ô B2" in message
    assert "(đúng ra là «Điều lệ Đảng»)" in message
    assert "UTF-8" in message and ".xlsx" in message
    assert sheet_problem([("Mã câu", "Lĩnh vực"), ("C001", "Điều lệ Đảng")]) is None


def _book(header, rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


@pytest.mark.django_db
def test_question_import_refuses_a_garbled_workbook(tmp_path, capsys):
    from quiz.excel import headers
    from quiz.models import Question

    rows = [[f"C{n:03d}", garble("Điều lệ Đảng"), garble(f"Đảng viên có mấy nhiệm vụ? ({n})"), "3", "4", "5", "6", "B", ""]
            for n in range(60)]  # fmt: skip
    path = tmp_path / "cau-hoi.xlsx"
    path.write_bytes(_book(headers(), rows))

    with pytest.raises(CommandError, match="Không nhập câu hỏi nào"):
        call_command("import_questions", str(path))

    assert "Tệp có chữ tiếng Việt bị lỗi bảng mã ở 120 ô" in capsys.readouterr().err
    assert Question.objects.count() == 0


@pytest.mark.django_db
def test_organization_and_member_imports_refuse_a_garbled_workbook(tmp_path):
    from accounts.importers import read_member_rows, read_organization_rows
    from accounts.members import MEMBER_HEADERS
    from accounts.services import ORGANIZATION_HEADERS

    units = _book(ORGANIZATION_HEADERS, [["CTHUE", garble("Đảng bộ Cục Thuế tỉnh"), "", "Chi bộ", "", None, 1]])
    members = _book(MEMBER_HEADERS, [[garble("Nguyễn Văn Ân"), "0912345678", "", "", "", ""]])

    for read, data in ((read_organization_rows, units), (read_member_rows, members)):
        rows, error = read(SimpleUploadedFile("tep.xlsx", data))
        assert rows == [] and "lỗi bảng mã" in error


def test_a_real_letter_before_a_closing_quote_is_not_garbled():
    """Found by hypothesis: «È» A» is real text (an È, a closing quote) whose cp1252 bytes happen
    to be valid UTF-8 («Ȼ A»); no Vietnamese has that letter, so it is not garbled."""
    assert not is_garbled("È» A")
    assert not is_garbled("Ý» Ô» À")
    assert is_garbled("Thá»±c hiá»‡n")
