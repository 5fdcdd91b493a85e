import datetime
import io

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from accounts.models import User
from tests.reports.test_figures import known_contest  # noqa: F401 - the shared fixture

pytestmark = pytest.mark.django_db


def test_export_attempts_one_row_per_finished_attempt(tmp_path, known_contest):  # noqa: F811
    User.objects.filter(pk__in=User.objects.values("pk")[:1]).update(full_name="=1+1")
    path = tmp_path / "bai-thi.xlsx"

    call_command("export", "attempts", str(path))

    sheet = load_workbook(path).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 6
    assert sheet.freeze_panes == "A2"
    assert isinstance(rows[0][6], datetime.datetime)
    assert sheet["I2"].number_format == "[h]:mm:ss"
    assert all(not str(r[2]).startswith("=") for r in rows)


def test_export_winners_and_organizations(tmp_path, known_contest):  # noqa: F811
    winners = tmp_path / "giai.xlsx"
    units = tmp_path / "don-vi.xlsx"

    call_command("export", "winners", str(winners))
    call_command("export", "organizations", str(units))

    book = load_workbook(winners)
    first = list(book.worksheets[0].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[1], r[3]) for r in first] == [(1, "Giải Nhất", "Đảng bộ Cục Thuế tỉnh")]
    weeks = list(load_workbook(units)["Theo tuần"].iter_rows(min_row=2, values_only=True))
    assert weeks[-2][:3] == ("Cộng", 5, 6)
    assert weeks[-1] == ("Số người (mỗi người một lần)", 3, None, None, 3, None, None)  # beside the sums


def test_large_export_runs_as_a_task_with_progress(client, known_contest, django_capture_on_commit_callbacks):  # noqa: F811
    from accounts.enums import Role
    from reports.models import ExportJob
    from tests.factories import staff_user

    client.force_login(staff_user(Role.SECRETARIAT))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/reports/exports/")
    job = ExportJob.objects.get()
    assert response["Location"] == f"/reports/exports/{job.pk}/"
    assert (job.status, job.rows_done, job.rows_total) == ("done", 6, 6)
    page = client.get(response["Location"]).content.decode()
    assert "Tải tệp Excel" in page
    download = client.get(f"/reports/exports/{job.pk}/file/")
    rows = list(load_workbook(io.BytesIO(b"".join(download.streaming_content))).active.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 6


def test_small_exports_download_at_once(client, known_contest):  # noqa: F811
    from accounts.enums import Role
    from tests.factories import staff_user

    client.force_login(staff_user(Role.SECRETARIAT))
    response = client.get("/reports/download/organizations.xlsx")
    assert load_workbook(io.BytesIO(response.content)).sheetnames == ["Theo tuần", "Theo đơn vị"]
    assert client.get("/reports/download/attempts.xlsx").status_code == 404
