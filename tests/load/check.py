"""After a load test: how many answers the server acknowledged are not in the database (lost
answers, must be 0), and the CPU the web workers and the database spent.

    python tests/load/check.py ACKS.json [GUNICORN_MASTER_PID]
"""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", ".."))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contest_site.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from quiz.models import AttemptQuestion  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its waited-for children, from /proc."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(x) for x in fields[11:15]) / TICKS


def children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def lost_answers(acks: list) -> int:
    by_attempt: dict[int, dict[int, int]] = {}
    for attempt, position, index in acks:
        by_attempt.setdefault(attempt, {})[position] = index
    stored = {
        (a, p): i
        for a, p, i in AttemptQuestion.objects.filter(attempt_id__in=list(by_attempt)).values_list(
            "attempt_id", "position", "chosen_index"
        )
    }
    return sum(1 for a, answers in by_attempt.items() for p, i in answers.items() if stored.get((a, p)) != i)


def database_cpu() -> float:
    """CPU of the PostgreSQL backends serving this database (the web tier's persistent connections)."""
    with connection.cursor() as cursor:
        cursor.execute("select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()")
        return sum(cpu_seconds(pid) for (pid,) in cursor.fetchall())


if __name__ == "__main__":
    data = json.loads(Path(sys.argv[1]).read_text())
    summary = data["summary"]
    lost = lost_answers(data["acks"])
    print(f"lost answers: {lost} of {len(data['acks'])} acknowledged")
    if len(sys.argv) > 2 and connection.vendor == "postgresql":
        master = int(sys.argv[2])  # its own CPU and that of workers it recycled, plus the live workers'
        app = cpu_seconds(master) + sum(cpu_seconds(pid) for pid in children(master))
        db = database_cpu()
        attempts, requests = summary["whole_attempts"], summary["requests"] or 1
        if attempts:
            per = f"per whole attempt: app {1000 * app / attempts:.0f} ms, database {1000 * db / attempts:.0f} ms"
        else:
            per = f"per request: app {1000 * app / requests:.1f} ms, database {1000 * db / requests:.1f} ms"
        print(f"CPU: web workers {app:.1f} s, database backends {db:.1f} s — {per}")
    sys.exit(1 if lost else 0)
