"""Importing the question workbook again: the same questions are a no-op, even sealed ones;
only a change to a sealed question is refused, naming its row. Cells are clean text."""

import io
import unicodedata

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook, load_workbook

from quiz.errors import SealedError
from quiz.excel import headers, import_questions, write_workbook
from quiz.models import Field, Option, Question
from quiz.services.bank import question_upsert
from tests.quiz.factories import FieldFactory, QuestionFactory, sealed_round

pytestmark = pytest.mark.django_db


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def _export(round) -> io.BytesIO:
    buffer = io.BytesIO()
    write_workbook(buffer, round=round)
    buffer.seek(0)
    return buffer


def _rows(buffer) -> list[list]:
    buffer.seek(0)
    return [list(r) for r in load_workbook(buffer).active.iter_rows(values_only=True)]


def _book(rows) -> io.BytesIO:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    return buffer


def _snapshot():
    return sorted(Option.objects.values_list("question__code", "question__text", "letter", "text", "is_correct"))


def test_reimporting_a_sealed_rounds_export_changes_nothing(tmp_path, capsys):
    round = sealed_round(pool_size=40)
    before = _snapshot()
    path = tmp_path / "tuan.xlsx"
    path.write_bytes(_export(round).getvalue())

    call_command("import_questions", str(path))

    assert "Đã nhập: 0 câu mới, 0 câu thay đổi, 40 câu không đổi." in capsys.readouterr().out
    assert _snapshot() == before


def test_reimport_report_counts_unchanged_and_writes_nothing():
    workbook = _export(sealed_round(pool_size=40))

    # Checking 40 rows costs the same queries as checking one (questions, their options, which
    # are sealed), and nothing is written.
    with CaptureQueriesContext(connection) as queries:
        report = import_questions(workbook)

    assert (report.ok, report.created, report.updated, report.unchanged) == (True, 0, 0, 40)
    writes = [q["sql"] for q in queries if q["sql"].startswith(("INSERT", "UPDATE", "DELETE"))]
    assert (len([q for q in queries if q["sql"].startswith("SELECT")]), writes) == (3, [])


def test_the_same_text_decomposed_or_padded_is_the_same_question():
    round = sealed_round(pool_size=20, fields=1)
    rows = _rows(_export(round))
    rows[1] = [nfd(c) + "  " if isinstance(c, str) else c for c in rows[1]]

    report = import_questions(_book(rows))

    assert (report.ok, report.updated, report.unchanged) == (True, 0, 20)


def test_changing_one_option_of_a_sealed_question_is_refused_naming_the_row():
    round = sealed_round(pool_size=20, fields=1)
    rows = _rows(_export(round))
    rows.append(["MOI1", "Lĩnh vực mới", "Câu hỏi mới?", "Có", "Không", "", "", "A", ""])
    code = rows[6][0]
    rows[6][4] = rows[6][4] + " (sửa)"  # Phương án B of the question on row 7
    before = _snapshot()

    report = import_questions(_book(rows))

    assert not report.ok
    assert report.errors == [
        f"Dòng 7: câu {code} đã nằm trong bộ câu hỏi được niêm phong, không thể sửa (tệp khác ở: phương án B)."
    ]
    assert (report.created, report.updated, report.unchanged) == (0, 0, 0)
    assert _snapshot() == before
    assert not Question.objects.filter(code="MOI1").exists()
    assert not Field.objects.filter(name="Lĩnh vực mới").exists()


def test_a_sealed_questions_new_right_answer_is_named():
    round = sealed_round(pool_size=20, fields=1)
    rows = _rows(_export(round))
    rows[2][-2] = "C" if rows[2][-2] != "C" else "D"

    report = import_questions(_book(rows))

    assert report.errors == [
        f"Dòng 3: câu {rows[2][0]} đã nằm trong bộ câu hỏi được niêm phong, không thể sửa (tệp khác ở: đáp án đúng)."
    ]


def test_an_unsealed_question_is_updated_and_counted_as_changed():
    question = QuestionFactory(code="U1")
    rows = [headers(), ["U1", question.field.name, "Câu hỏi đã sửa?", "a", "b", "c", "d", "A", ""]]

    report = import_questions(_book(rows))

    assert (report.ok, report.created, report.updated, report.unchanged) == (True, 0, 1, 0)
    question.refresh_from_db()
    assert question.text == "Câu hỏi đã sửa?"


def test_question_import_refuses_control_characters_naming_row_and_column():
    rows = [
        headers(),
        ["K1", "Điều lệ", "Câu hỏi\x85 một?", "a", "b", "", "", "A", ""],
        ["K2", "Điều lệ", "Câu hỏi hai?\nDòng hai được phép.", "a\u202e", "b", "", "", "A", ""],
        ["K3", "Điều lệ", "Ba?", "a", "b\nc", "", "", "B", ""],
    ]

    report = import_questions(_book(rows))

    assert report.errors == [
        "Dòng 2: «Câu hỏi» có ký tự không được phép U+0085 (ký tự điều khiển, không nhìn thấy) ở vị trí thứ 8; "
        "vui lòng xoá ký tự đó.",
        "Dòng 3: «Phương án A» có ký tự không được phép U+202E (ký tự đổi hướng chữ, không nhìn thấy) ở vị trí thứ 2; "
        "vui lòng xoá ký tự đó.",
        "Dòng 4: «Phương án B» chỉ được viết trên một dòng: có U+000A (dấu xuống dòng) ở vị trí thứ 2.",
    ]
    assert Question.objects.count() == 0


def test_question_import_stores_nfc_text_and_one_field_for_both_spellings():
    rows = [
        headers(),
        ["N1", nfd("Lịch sử Đảng"), nfd("Đảng Cộng sản Việt Nam ra đời năm nào?"), "1930", "1945", "", "", "A", ""],
        ["N2", "Lịch sử Đảng", "Câu hai?", "Có", "Không", "", "", "B", nfd("Giáo trình Lịch sử Đảng")],
    ]

    report = import_questions(_book(rows))

    assert report.ok, report.errors
    assert list(Field.objects.values_list("name", flat=True)) == ["Lịch sử Đảng"]
    first, second = Question.objects.order_by("code")
    assert first.text == "Đảng Cộng sản Việt Nam ra đời năm nào?"
    assert second.source == "Giáo trình Lịch sử Đảng"


def test_upserting_a_sealed_question_unchanged_is_a_no_op_and_a_change_is_refused():
    round = sealed_round(pool_size=20, fields=1)
    question = Question.objects.filter(round_entries__round=round).first()
    options = [o.text for o in question.options.order_by("letter")]
    correct = next(i for i, o in enumerate(question.options.order_by("letter")) if o.is_correct)

    same, created = question_upsert(
        code=question.code, field=question.field, text=nfd(question.text), options=options, correct_index=correct,
        source=question.source,
    )  # fmt: skip
    assert (same.pk, created) == (question.pk, False)

    with pytest.raises(SealedError):
        question_upsert(
            code=question.code, field=question.field, text=question.text + " Sửa?", options=options,
            correct_index=correct, source=question.source,
        )  # fmt: skip


def test_the_seal_backstop_compares_normalized_text():
    round = sealed_round(pool_size=20, fields=1)
    question = Question.objects.filter(round_entries__round=round).first()
    option = question.options.get(letter="A")
    # Older data stored decomposed: writing its composed form is not a change of the question.
    Question.objects.filter(pk=question.pk).update(text=nfd(question.text))
    Option.objects.filter(pk=option.pk).update(text=nfd(option.text))
    question.refresh_from_db()
    option.refresh_from_db()

    question.save()
    option.save()

    option.text = option.text + " khác"
    with pytest.raises(SealedError):
        option.save()
    question.field = FieldFactory()
    with pytest.raises(SealedError):
        question.save()
