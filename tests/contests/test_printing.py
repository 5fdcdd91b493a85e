"""Every workbook the product writes prints: A4, landscape where wide, fit to the page's width,
the header row repeated, a title with the contest, the list and the date, page numbers. Each
workbook is produced by its own writer and opened again with openpyxl."""

import datetime
import io
import re

import pytest
from openpyxl import Workbook, load_workbook

from contests.printing import PAGE_FOOTER, print_title, sheet_print_setup
from tests.reports.test_figures import known_contest  # noqa: F401 - the shared fixture

pytestmark = pytest.mark.django_db


def _printable(sheets, *, contest_name: str | None, header_rows: bool = True) -> None:
    for sheet in getattr(sheets, "worksheets", sheets):
        setup = sheet.page_setup
        assert int(setup.paperSize) == 9, sheet.title
        assert setup.orientation in ("portrait", "landscape")
        assert (int(setup.fitToWidth), int(setup.fitToHeight)) == (1, 0)
        assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
        if header_rows:
            assert sheet.print_title_rows == "$1:$1", sheet.title
        title = sheet.oddHeader.center.text
        assert title.endswith(print_title(on=datetime.date.today())), title
        if contest_name:
            assert title.startswith(contest_name.replace("&", "&&")), title
        assert sheet.oddFooter.center.text == PAGE_FOOTER


def _load(write, **kwargs):
    buffer = io.BytesIO()
    write(buffer, **kwargs)
    buffer.seek(0)
    return load_workbook(buffer)


def test_print_title_joins_the_parts_and_the_date():
    assert print_title("Cuộc thi A", None, "", "Tuần 1", on=datetime.date(2026, 2, 5)) == "Cuộc thi A · Tuần 1 · 5/2/2026"


def test_sheet_print_setup_turns_wide_sheets_to_landscape_and_escapes_the_title(tmp_path):
    book = Workbook(write_only=True)
    narrow, wide = book.create_sheet("hẹp"), book.create_sheet("rộng")
    sheet_print_setup(narrow, title="Giải & danh sách", widths=[8, 28, 30])
    sheet_print_setup(wide, title="=1+1\x07", widths=[30] * 6)
    narrow.append(["a"])
    wide.append(["a"])
    book.save(tmp_path / "x.xlsx")

    loaded = load_workbook(tmp_path / "x.xlsx")

    assert loaded["hẹp"].page_setup.orientation == "portrait"
    assert loaded["rộng"].page_setup.orientation == "landscape"
    assert loaded["hẹp"].oddHeader.center.text == "Giải && danh sách"  # a lone & would start a code
    assert loaded["rộng"].oddHeader.center.text == "=1+1"


def test_reports_workbooks_print(known_contest):  # noqa: F811
    from reports.exports import absentees_workbook, attempts_workbook, organizations_workbook

    contest, _tax, _power = known_contest

    attempts = _load(attempts_workbook, contest=contest)
    _printable(attempts, contest_name=contest.name)
    assert attempts.worksheets[0].page_setup.orientation == "landscape"
    _printable(_load(organizations_workbook, contest=contest), contest_name=contest.name)
    _printable(_load(absentees_workbook, absentees=[], labels={}, heading=contest.name), contest_name=contest.name)


def test_awards_essays_and_decisions_workbooks_print(known_contest):  # noqa: F811
    from accounts.enums import Role
    from audit.decision_views import decisions_workbook
    from awards.exports import winners_workbook
    from contests.models import Decision
    from essays.exports import essays_workbook
    from tests.factories import staff_user

    contest, _tax, _power = known_contest

    winners = _load(winners_workbook, contest=contest, details_viewer=staff_user(Role.SECRETARIAT))
    _printable(winners, contest_name=contest.name)
    assert winners.worksheets[0].oddHeader.center.text.startswith(f"{contest.name} · Tuần")
    _printable(_load(essays_workbook, contest=contest), contest_name=contest.name)
    _printable(_load(decisions_workbook, rows=Decision.objects.none(), contest=contest), contest_name=contest.name)


def test_question_workbooks_print(known_contest):  # noqa: F811
    from quiz.analysis import write_analysis
    from quiz.excel import write_workbook
    from quiz.models import Round

    contest, _tax, _power = known_contest
    round = Round.objects.filter(contest=contest).order_by("number").first()

    pool = _load(write_workbook, round=round)
    _printable(pool, contest_name=contest.name)
    assert pool.active.page_setup.orientation == "landscape"
    _printable(_load(write_workbook, template=True), contest_name=None)
    analysis = _load(write_analysis, round=round)
    _printable(analysis.worksheets[:1], contest_name=contest.name)
    _printable(analysis.worksheets[1:], contest_name=contest.name, header_rows=False)


def test_personal_data_and_member_template_print(known_contest):  # noqa: F811
    from accounts.enums import Role
    from accounts.members import members_template
    from accounts.models import User
    from privacy.personal_data import person_data, person_data_workbook
    from tests.factories import staff_user

    user = User.objects.filter(attempts__isnull=False).first()
    book = _load(person_data_workbook, sections=person_data(user=user), title="Dữ liệu cá nhân")
    _printable(book, contest_name="Dữ liệu cá nhân")
    values = [v for sheet in book.worksheets for row in sheet.iter_rows(min_row=2, values_only=True) for v in row]
    assert not any(isinstance(v, bool) or v in ("True", "False") for v in values)  # «Có» / «Không»
    assert not any(isinstance(v, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}(T.*)?", v) for v in values)
    assert any(isinstance(v, str) and re.fullmatch(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}:\d{2}", v) for v in values)

    template = load_workbook(io.BytesIO(members_template(user=staff_user(Role.SECRETARIAT))))
    _printable(template, contest_name="Danh sách thành viên")


def test_every_module_that_writes_a_workbook_sets_up_its_printing():
    """A new workbook writer gets the page set-up too: every module of the product that makes an
    openpyxl Workbook calls contests.printing (directly or through reports.exports._Sheet)."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    skipped = {"tests", ".venv", "node_modules", "migrations"}
    writers = [
        path
        for path in root.rglob("*.py")
        if not skipped & set(path.relative_to(root).parts) and "Workbook(" in path.read_text(encoding="utf-8")
    ]

    assert len(writers) >= 8  # reports, awards, essays, quiz (bank, analysis), audit, privacy, accounts
    unprinted = [str(p.relative_to(root)) for p in writers if not {"sheet_print_setup(", "_Sheet("} & _calls(p)]
    assert unprinted == []


def _calls(path) -> set[str]:
    text = path.read_text(encoding="utf-8")
    return {name for name in ("sheet_print_setup(", "_Sheet(") if name in text}
