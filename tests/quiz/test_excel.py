import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from quiz.excel import headers
from quiz.models import Option, Question
from quiz.services.pool import round_pool_add
from quiz.services.rounds import round_approve
from tests.factories import UserFactory
from tests.quiz.factories import QuestionFactory, RoundFactory

pytestmark = pytest.mark.django_db


def _book(tmp_path, rows, head=None):
    wb = Workbook()
    ws = wb.active
    ws.append(head or headers())
    for row in rows:
        ws.append(row)
    path = tmp_path / "cau-hoi.xlsx"
    wb.save(path)
    return str(path)


GOOD = [
    ["C001", "Điều lệ Đảng", "Đảng viên có mấy nhiệm vụ?", "3", "4", "5", "6", "B", "Điều 2, Điều lệ Đảng"],
    ["C002", "Quy định 37", "Đảng viên không được làm mấy điều?", "17", "19", "", "", "B", "Quy định 37-QĐ/TW"],
]


def test_import_questions_creates_fields_questions_and_options(tmp_path):
    call_command("import_questions", _book(tmp_path, GOOD))

    q = Question.objects.get(code="C001")
    assert (q.field.name, q.text, q.source) == ("Điều lệ Đảng", "Đảng viên có mấy nhiệm vụ?", "Điều 2, Điều lệ Đảng")
    assert list(q.options.values_list("letter", "text", "is_correct")) == [
        ("A", "3", False), ("B", "4", True), ("C", "5", False), ("D", "6", False),
    ]  # fmt: skip
    assert Question.objects.get(code="C002").options.count() == 2


def test_import_questions_reports_every_bad_row_and_imports_nothing(tmp_path, capsys):
    rows = GOOD + [
        ["", "Điều lệ Đảng", "Thiếu mã", "a", "b", "", "", "A", ""],
        ["C004", "Điều lệ Đảng", "Một phương án", "a", "", "", "", "A", ""],
        ["C005", "Điều lệ Đảng", "Đáp án sai", "a", "b", "c", "d", "E", ""],
        ["C001", "Điều lệ Đảng", "Trùng mã", "a", "b", "", "", "A", ""],
    ]
    with pytest.raises(CommandError, match="Không nhập câu hỏi nào: 4 lỗi"):
        call_command("import_questions", _book(tmp_path, rows))

    err = capsys.readouterr().err
    assert "Dòng 4: thiếu mã câu." in err
    assert "Dòng 5: cần từ 2 đến 6 phương án; đáp án đúng «A» phải là một chữ cái" not in err
    assert "Dòng 5: cần từ 2 đến 6 phương án" in err
    assert "Dòng 6: đáp án đúng «E» phải là một chữ cái trong A, B, C, D." in err
    assert "Dòng 7: mã câu C001 trùng với dòng 2." in err
    assert Question.objects.count() == 0


def test_round_trip_export_then_import_updates_by_code(tmp_path):
    q = QuestionFactory(code="R1", options=5)
    path = str(tmp_path / "out.xlsx")
    call_command("export_questions", path)
    wb = load_workbook(path)
    ws = wb.active
    assert [c.value for c in ws[1]] == headers(5)
    ws["C2"] = "Nội dung mới"
    wb.save(path)

    call_command("import_questions", path)

    q.refresh_from_db()
    assert q.text == "Nội dung mới"
    assert q.options.count() == 5
    assert Question.objects.count() == 1


def test_export_writes_formula_looking_text_as_text(tmp_path):
    q = QuestionFactory(code="F1")
    Option.objects.filter(question=q, letter="B").update(text='=HYPERLINK("http://x")')
    path = str(tmp_path / "out.xlsx")
    call_command("export_questions", path)
    cell = load_workbook(path).active["E2"]
    assert cell.data_type == "s"
    assert cell.value == '\'=HYPERLINK("http://x")'

    call_command("import_questions", path)
    assert Option.objects.get(question=q, letter="B").text == '=HYPERLINK("http://x")'


def test_export_round_pool_only(tmp_path):
    round = RoundFactory()
    inside, _outside = QuestionFactory(code="IN"), QuestionFactory(code="OUT")
    round_pool_add(round=round, question_ids=[inside.pk])
    path = str(tmp_path / "pool.xlsx")
    call_command("export_questions", "--round", str(round.pk), path)
    codes = [row[0] for row in load_workbook(path).active.iter_rows(min_row=2, values_only=True)]
    assert codes == ["IN"]


def test_import_refuses_to_change_a_sealed_question(tmp_path, capsys):
    round = RoundFactory(questions_per_attempt=1)
    q = QuestionFactory(code="S1")
    round_pool_add(round=round, question_ids=[q.pk])
    round_approve(round=round, by=UserFactory())

    with pytest.raises(CommandError):
        call_command("import_questions", _book(tmp_path, [["S1", "X", "Sửa", "a", "b", "", "", "A", ""]]))

    assert "câu S1 đã nằm trong bộ câu hỏi được niêm phong" in capsys.readouterr().err
    q.refresh_from_db()
    assert q.text != "Sửa"


def test_import_refuses_a_file_that_is_not_excel(tmp_path):
    path = tmp_path / "x.xlsx"
    path.write_bytes(b"PK not really")
    with pytest.raises(CommandError):
        call_command("import_questions", str(path))


def test_import_questions_refuses_more_rows_than_the_cap_and_imports_nothing(tmp_path, monkeypatch, capsys):
    from quiz import excel

    monkeypatch.setattr(excel, "MAX_ROWS", 5)
    rows = [[f"C{i:04d}", "Điều lệ Đảng", f"Câu {i}?", "a", "b", "", "", "A", ""] for i in range(1005)]

    with pytest.raises(CommandError, match="Không nhập câu hỏi nào"):
        call_command("import_questions", _book(tmp_path, rows))

    assert capsys.readouterr().err.strip() == "Tệp có quá 5 dòng dữ liệu; hãy chia thành nhiều tệp, mỗi tệp tối đa 5 dòng."
    assert Question.objects.count() == 0


def test_import_questions_refuses_a_zip_bomb_workbook(tmp_path, capsys):
    from tests.factories import xlsx_bomb

    path = tmp_path / "bom.xlsx"
    path.write_bytes(xlsx_bomb(60 * 1024 * 1024))

    with pytest.raises(CommandError):
        call_command("import_questions", str(path))

    assert "Tệp Excel bị nén bất thường" in capsys.readouterr().err
