"""The streamed attempts export under load (make loadtest LOADTEST_SCENARIO=pooled): the
secretariat asks for it on /reports/ as a person does, a Celery worker builds it (through the same
PgBouncer as the site), and the file is downloaded and counted.

    python tests/load/export.py BASE_URL SESSION_KEY [TIMEOUT_S]

Prints one line: done (rows in the workbook against the job's count, seconds) or what failed.
Waits until some attempts are finished (an export of nothing proves nothing). Exits 1 unless the
job finished and the workbook holds at least the rows the job counted when it began, and that is
more than none (attempts finished during the export may be in it too)."""

import io
import os
import re
import sys
import time
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", ".."))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contest_site.settings")

import django  # noqa: E402

django.setup()

from openpyxl import load_workbook  # noqa: E402

from quiz.enums import AttemptStatus  # noqa: E402
from quiz.models import Attempt  # noqa: E402
from reports.models import ExportJob  # noqa: E402

ENOUGH_FINISHED = 50  # an export of nothing proves nothing: wait (up to a minute) for this many

FORM = re.compile(r'action="([^"]*exports/)"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
JOB = re.compile(r"exports/(\d+)/$")


def fetch(url: str, cookies: dict, data: bytes | None = None, referer: str | None = None):
    headers = {"Host": "127.0.0.1", "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
    if referer:
        headers["Referer"] = referer
    response = urllib.request.urlopen(urllib.request.Request(url, data=data, headers=headers), timeout=60)  # noqa: S310 - loopback
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _sep, rest = header.partition("=")
        cookies[name.strip()] = rest.split(";", 1)[0]
    return response


def main(base: str, session: str, timeout: float) -> int:
    cookies = {"sessionid": session}
    waited = time.time()
    while Attempt.objects.exclude(status=AttemptStatus.OPEN).count() < ENOUGH_FINISHED and time.time() - waited < 60:
        time.sleep(1)
    started = time.time()
    page = fetch(f"{base}/reports/", cookies).read().decode()
    action, token = FORM.search(page).group(1), CSRF.search(page).group(1)
    body = urllib.parse.urlencode({"csrfmiddlewaretoken": token}).encode()
    status_page = fetch(base + action, cookies, data=body, referer=f"{base}/reports/")
    job_id = int(JOB.search(status_page.geturl()).group(1))
    job = ExportJob.objects.get(pk=job_id)
    while job.status in (ExportJob.Status.PENDING, ExportJob.Status.RUNNING) and time.time() - started < timeout:
        time.sleep(1)
        job.refresh_from_db()
    seconds = time.time() - started
    if job.status != ExportJob.Status.DONE:
        print(f"export: job {job_id} {job.status} after {seconds:.0f} s: {job.error[:300] or 'no error recorded'}")
        return 1
    data = fetch(status_page.geturl() + "file/", cookies).read()
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    rows = sum(max(0, sum(1 for _ in sheet.iter_rows()) - 1) for sheet in workbook.worksheets)
    # Attempts finished while it ran may be in it too (it reads by finish time): at least the count.
    ok = rows >= job.rows_total > 0
    print(f"export: done in {seconds:.1f} s, {rows} rows in the workbook ({len(data) // 1024} KiB), "
          f"{job.rows_total} counted by the job when it began{'' if ok else ' — ROWS MISSING'}")  # fmt: skip
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], float(sys.argv[3]) if len(sys.argv) > 3 else 300))
