import io

import pytest
from docx import Document

from accounts.enums import Role
from reports.summary import summary_paragraphs
from tests.factories import staff_user
from tests.reports.test_figures import known_contest  # noqa: F401 - the shared fixture

pytestmark = pytest.mark.django_db


def test_summary_sentences_are_computed_from_the_data(known_contest):  # noqa: F811
    contest, _tax, _power = known_contest

    headline, weeks, units = summary_paragraphs(contest=contest)

    assert headline.startswith(
        "Trong 2 tuần đã có 5 lượt người tham gia với 6 lượt bài thi, trong đó có 3 lượt người với 3 lượt bài"
    )
    assert "nhanh nhất là 25 giây" in headline
    assert weeks[0] == (
        "Trong tuần thứ 1, có 3 người tham gia với 4 bài thi; số bài đạt điểm tuyệt đối: 2 bài (2 người), "
        "số bài thiếu một câu: 1 bài; bài hoàn thành nhanh nhất 25 giây."
    )
    assert units[0] == "Đảng bộ Cục Thuế tỉnh có 4 bài thi, 2 bài đạt điểm tuyệt đối, trong đó 01 giải nhất."


def test_summary_docx_download(client, known_contest):  # noqa: F811
    client.force_login(staff_user(Role.SECRETARIAT))
    document = Document(io.BytesIO(client.get("/reports/summary.docx").content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Đảng bộ Cục Thuế tỉnh có 4 bài thi" in text
    assert document.tables[0].rows[-1].cells[2].text == "6"
