"""The fault mode's stopwatch (make loadtest LOADTEST_SCENARIO=faults).

    python tests/load/probe.py watch URL LOG [SESSION]
                                                   ask URL (/readyz/: the database; Redis not fatal)
                                                   every 0.1 s until killed; one line per answer,
                                                   stamped when it came. With SESSION (a session key)
                                                   as that user (a staff page: /stats/, /reports/),
                                                   every 0.5 s with a timeout of 10 s (a report page
                                                   costs more than /readyz/)
    python tests/load/probe.py report FAULTS LOG [ACKS]
                                                   how long each fault interrupted service; with
                                                   locust's ACKS file (tests/load/locustfile.py),
                                                   the contestants' failed requests under each fault

FAULTS has lines "<epoch> <name>" written when each fault began. A fault's interruption is the
time from the first failed probe at or after it began to the next successful one (0 when no
probe failed within 30 s of it, or before the next fault began)."""

import json
import sys
import time
import urllib.error
import urllib.request


def watch(url: str, log: str, session: str = "") -> None:
    headers = {"Host": "127.0.0.1"} | ({"Cookie": f"sessionid={session}"} if session else {})
    every, timeout = (0.5, 10) if session else (0.1, 2)
    with open(log, "a", buffering=1) as out:
        while True:
            started = time.time()
            try:
                with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=timeout) as r:
                    ok = r.status == 200 and r.url == url  # not sent to the login page
            except (urllib.error.URLError, OSError, ValueError):
                ok = False
            out.write(f"{time.time():.3f} {'ok' if ok else 'fail'}\n")  # when the answer (or the failure) came
            time.sleep(max(0.0, every - (time.time() - started)))


def interruptions(faults: list[tuple[float, str]], probes: list[tuple[float, bool]]) -> list[tuple[str, float]]:
    result = []
    ends = [began for began, _name in faults[1:]] + [float("inf")] * bool(faults)
    for (began, name), next_fault in zip(faults, ends, strict=True):
        end = min(began + 30, next_fault)  # a fault's window closes when the next one begins
        window = [(t, ok) for t, ok in probes if began <= t < end]
        first_fail = next((t for t, ok in window if not ok), None)
        if first_fail is None:
            result.append((name, 0.0))
            continue
        back = next((t for t, ok in window if ok and t > first_fail), None)
        result.append((name, (back if back is not None else end) - first_fail))
    return result


def failures_by_fault(faults: list[tuple[float, str]], failures: list) -> list[tuple[str, dict[str, int]]]:
    """The failed requests from each fault's start to the next one's ("before the faults" first):
    {"autosave 503": n, …} for each."""
    bounds = [(float("-inf"), "before the faults")] + faults
    result = []
    for (began, name), (end, _next) in zip(bounds, bounds[1:] + [(float("inf"), "")], strict=True):
        counts: dict[str, int] = {}
        for when, request, status in failures:
            if began <= when < end:
                counts[f"{request} {status}"] = counts.get(f"{request} {status}", 0) + 1
        result.append((name, counts))
    return result


def report(faults_path: str, log: str, acks: str = "") -> None:
    faults = []
    try:
        with open(faults_path) as f:
            fault_lines = f.read().splitlines()
    except FileNotFoundError:  # a run without faults (LOADTEST_FAULTS=0)
        fault_lines = []
    with open(log) as f:
        probe_lines = f.read().splitlines()
    for line in fault_lines:
        stamp, name = line.split(maxsplit=1)
        faults.append((float(stamp), name.strip()))
    probes = []
    for line in probe_lines:
        stamp, state = line.split()
        probes.append((float(stamp), state == "ok"))
    failed = sum(1 for _t, ok in probes if not ok)
    print(f"probes: {len(probes)}, failed {failed}")
    for name, seconds in interruptions(faults, probes):
        print(f"fault {name:<28} service interrupted {seconds:5.1f} s")
    if acks:
        with open(acks) as f:
            failures = json.load(f).get("failures", [])
        for name, counts in failures_by_fault(faults, failures):
            shown = ", ".join(f"{what} ×{n}" for what, n in sorted(counts.items())) or "none"
            print(f"failed contestant requests from {name}: {sum(counts.values())} ({shown})")


if __name__ == "__main__":
    if sys.argv[1] == "watch":
        watch(*sys.argv[2:5])
    else:
        report(*sys.argv[2:5])
