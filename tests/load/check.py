"""After a load test: how many answers the server acknowledged are not in the database (lost
answers, must be 0), whether every submitted attempt was scored exactly once, the CPU the web
workers and the database spent, and (two nodes) how the sessions were spread over the nodes.

    python tests/load/check.py ACKS.json [GUNICORN_MASTER_PIDS,…] [NGINX_ACCESS_LOG]
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
from django.db.models import (  # noqa: E402
    Count,
    F,  # noqa: E402
    Q,
)

from quiz.enums import AttemptStatus  # noqa: E402
from quiz.models import Attempt, AttemptQuestion, RoundEntry  # noqa: E402

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


def scoring_problems(round_id: int, scored: list[int]) -> list[str]:
    """In the load test's round: every attempt the server answered with a result is finished;
    every finished attempt has the score of its rows; each contestant's entry counts each
    finished attempt exactly once."""
    problems = []
    attempts = Attempt.objects.filter(round_id=round_id)
    finished = set(attempts.filter(pk__in=scored).finished().values_list("pk", flat=True))
    if missing := set(scored) - finished:
        problems.append(f"{len(missing)} attempts shown as scored are not finished")
    wrong = attempts.finished().annotate(right=Count("items", filter=Q(items__is_correct=True))).exclude(score=F("right")).count()
    if wrong:
        problems.append(f"{wrong} finished attempts whose score is not the count of their right answers")
    counted = {
        (r["round_id"], r["user_id"]): r["n"] for r in attempts.finished().values("round_id", "user_id").annotate(n=Count("pk"))
    }
    entries = {(e.round_id, e.user_id): e.attempts_count for e in RoundEntry.objects.filter(round_id=round_id)}
    off = sum(1 for key, n in counted.items() if entries.get(key) != n)
    if off:
        problems.append(f"{off} contestants whose entry counts their finished attempts other than once each")
    if attempts.filter(status=AttemptStatus.OPEN, score__isnull=False).exists():
        problems.append("open attempts with a score")
    return problems


def nodes_report(access_log: str) -> str:
    """From nginx's log ("node session status"): requests per node, and how many sessions both
    nodes served (the proof that no node keeps state of its own)."""
    per_node: dict[str, int] = {}
    sessions: dict[str, set[str]] = {}
    errors = 0
    with open(access_log) as f:
        lines = f.read().splitlines()
    for line in lines:
        parts = line.rsplit(" ", 2)  # a retried request names every node it tried: "a, b"
        if len(parts) != 3:
            continue
        node, session, status = parts
        node = node.split(",")[-1].strip()  # the one that answered
        if session == "-":
            continue  # run.sh's health checks while the nodes start
        per_node[node] = per_node.get(node, 0) + 1
        errors += status.startswith("5")
        sessions.setdefault(session, set()).add(node)
    both = sum(1 for nodes in sessions.values() if len(nodes) > 1)
    spread = ", ".join(f"{node} {n}" for node, n in sorted(per_node.items()))
    return f"nodes: requests {spread}; {both} of {len(sessions)} sessions served by more than one node; 5xx {errors}"


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
    problems = scoring_problems(summary["round"], data.get("scored", []))
    print(f"scored exactly once: {'yes' if not problems else '; '.join(problems)} ({len(data.get('scored', []))} submits)")
    if len(sys.argv) > 3:
        print(nodes_report(sys.argv[3]))
    if len(sys.argv) > 2 and connection.vendor == "postgresql":
        # Each master's own CPU and that of workers it recycled, plus its live workers'.
        masters = [int(pid) for pid in sys.argv[2].split(",") if pid]
        app = sum(cpu_seconds(m) + sum(cpu_seconds(pid) for pid in children(m)) for m in masters)
        db = database_cpu()
        attempts, requests = summary["whole_attempts"], summary["requests"] or 1
        if attempts:
            per = f"per whole attempt: app {1000 * app / attempts:.0f} ms, database {1000 * db / attempts:.0f} ms"
        else:
            per = f"per request: app {1000 * app / requests:.1f} ms, database {1000 * db / requests:.1f} ms"
        print(f"CPU: web workers {app:.1f} s, database backends {db:.1f} s — {per}")
    sys.exit(1 if lost or problems else 0)
