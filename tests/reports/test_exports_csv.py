"""The attempts as CSV (reports.exports.attempts_csv): the workbook's rows and columns, written
by PostgreSQL's COPY for a national season, the same bytes as the Python writer used elsewhere,
every text Excel-safe as excel_text makes it."""

import csv
import io

import pytest

from accounts.enums import Role
from accounts.models import User
from contests.text import excel_text
from reports import exports
from tests.factories import staff_user
from tests.reports.test_figures import known_contest  # noqa: F401 - the shared fixture

pytestmark = pytest.mark.django_db

HOSTILE = ["=1+1", "-2+3", "+cmd", "@SUM(A1)", "\tTab", "Tên\u202eđảo ngược", "Bell\x07 kêu", "Nguyễn Thị Ánh"]


def _rows(data: bytes) -> list[list[str]]:
    assert data.startswith(exports.CSV_BOM)  # Excel reads the diacritics
    return list(csv.reader(io.StringIO(data[len(exports.CSV_BOM) :].decode("utf-8"))))


def test_the_csv_is_the_workbooks_rows_and_matches_the_python_writer(known_contest):  # noqa: F811
    contest, _tax, _power = known_contest
    users = list(User.objects.filter(attempts__round__contest=contest).distinct().order_by("pk"))
    for user, name in zip(users, HOSTILE, strict=False):
        User.objects.filter(pk=user.pk).update(full_name=name)

    by_database, by_python = io.BytesIO(), io.BytesIO()
    count = exports.attempts_csv(by_database, contest=contest)
    header = ["Loại", *(name for name, _w, _f in exports.ATTEMPT_COLUMNS)]
    by_python.write(exports.CSV_BOM)
    assert exports._attempts_csv_python(by_python, contest=contest, header=header) == count == 6

    rows = _rows(by_database.getvalue())
    assert rows == _rows(by_python.getvalue())
    assert rows[0] == header
    names = {row[3] for row in rows[1:]}
    assert names == {excel_text(name) for name in HOSTILE[: len(users)]}
    assert all(not name.startswith(("=", "+", "-", "@", "\t")) for name in names)
    assert all("\u202e" not in name and "\x07" not in name for name in names)
    first = rows[1]
    assert first[0] == "Bài thi" and first[9].count(":") == 2 and first[12] in ("Đã nộp", "Hết giờ, hệ thống tự nộp")


def test_the_csv_export_runs_as_a_task(client, known_contest, django_capture_on_commit_callbacks):  # noqa: F811
    from reports.models import ExportJob

    client.force_login(staff_user(Role.SECRETARIAT))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/reports/exports/", {"format": "csv"})
    job = ExportJob.objects.get()
    assert (job.kind, job.status, job.rows_done) == ("attempts_csv", "done", 6)
    assert job.file.name.endswith(".csv")
    download = client.get(f"/reports/exports/{job.pk}/file/")
    assert len(_rows(b"".join(download.streaming_content))) == 7
    assert response["Location"] == f"/reports/exports/{job.pk}/"


def test_only_the_office_starts_an_export(client, known_contest):  # noqa: F811
    from reports.models import ExportJob
    from tests.factories import contestant

    client.force_login(contestant())
    assert client.post("/reports/exports/", {"format": "csv"}).status_code == 403
    client.force_login(staff_user(Role.JUDGE))
    assert client.post("/reports/exports/", {"format": "csv"}).status_code == 403
    assert not ExportJob.objects.exists()
