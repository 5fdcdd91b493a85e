import io

import pytest
from django.core.management import call_command
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from accounts.enums import Role
from essays.enums import EssayStatus
from essays.models import EssayPrize
from tests.essays.factories import EssayFactory, EssayPhaseFactory
from tests.factories import staff_user

pytestmark = pytest.mark.django_db


def test_export_essays_command_writes_every_essay_as_text(tmp_path):
    phase = EssayPhaseFactory()
    EssayFactory(phase=phase, title='=HYPERLINK("http://x","bấm")', status=EssayStatus.SUBMITTED, submitted_at=timezone.now())
    EssayFactory(phase=phase, title="Chi bộ <b>kiểu mẫu</b> & đoàn kết")
    path = tmp_path / "bai.xlsx"

    call_command("export", "essays", str(path))

    sheet = load_workbook(path).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Mã bài", "Tên bài viết", "Viết về")
    titles = {r[1] for r in rows[1:]}
    assert titles == {'\'=HYPERLINK("http://x","bấm")', "Chi bộ kiểu mẫu & đoàn kết"}
    assert sheet.freeze_panes == "A2"


def test_book_holds_published_essays_without_markup(client):
    phase = EssayPhaseFactory()
    winner = EssayFactory(
        phase=phase,
        title="Người đảng viên trẻ",
        published_at=timezone.now(),
        body="## Mở đầu\n\nĐoạn <script>alert(1)</script> một.",
    )
    EssayPrize.objects.create(essay=winner, tier="first", rank=1)
    EssayFactory(phase=phase, title="Chưa đăng")
    client.force_login(staff_user(Role.SECRETARIAT))

    response = client.get("/essays/manage/book.docx")

    document = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Người đảng viên trẻ" in text and "Giải Nhất" in text and "Mở đầu" in text
    assert "Chưa đăng" not in text
    assert "<script>" not in text and "alert(1)" not in text
