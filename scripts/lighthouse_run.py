"""Run Lighthouse (mobile, the default form factor) on each page that `manage.py lighthouse_pages`
lists, save the JSON reports, print a table of scores and the audits that cost points, and exit 1
when a page misses a target. Called by scripts/lighthouse.sh inside scripts/demo_server.sh (the
server is up and the environment points manage.py at its database)."""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

TARGETS = {"performance": 0.95, "accessibility": 1.0, "best-practices": 0.95}


def run(lighthouse: str, url: str, cookie: str, report: Path) -> dict:
    command = [
        lighthouse,
        url,
        "--quiet",
        "--output=json",
        f"--output-path={report}",
        "--only-categories=" + ",".join(TARGETS),
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage",
    ]
    if cookie:
        command.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
    subprocess.run(command, check=True, env=os.environ)  # noqa: S603 - our own command line
    return json.loads(report.read_text())


def run_median(lighthouse: str, url: str, cookie: str, report: Path, runs: int) -> dict:
    """Lighthouse's own advice for noisy machines: several runs, keep the median by performance.
    The kept report is saved as `report`."""
    results = []
    for n in range(runs):
        path = report if runs == 1 else report.with_suffix(f".run{n + 1}.json")
        results.append((path, run(lighthouse, url, cookie, path)))
    results.sort(key=lambda item: item[1]["categories"]["performance"]["score"] or 0)
    path, data = results[len(results) // 2]
    if path != report:
        path.replace(report)
        for other, _ in results:
            other.unlink(missing_ok=True)
    return data


def losses(data: dict, category: str) -> list[str]:
    """The audits of a category that did not pass, heaviest first."""
    refs = data["categories"][category]["auditRefs"]
    out = []
    for ref in sorted(refs, key=lambda r: -r["weight"]):
        audit = data["audits"][ref["id"]]
        if audit.get("score") is not None and audit["score"] < 1 and (ref["weight"] or category != "performance"):
            value = audit.get("displayValue") or ""
            out.append(f"{ref['id']} ({audit['score']:.2f}{', ' + value if value else ''})")
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--lighthouse", required=True)
    parser.add_argument("--only", nargs="*")
    parser.add_argument("--runs", type=int, default=1, help="runs per page; the median is kept")
    args = parser.parse_args()
    # Sessions (and the contestant's open attempt) are made just before the run.
    listing = [sys.executable, "manage.py", "lighthouse_pages", "--force"]
    pages = json.loads(subprocess.run(listing, check=True, capture_output=True, text=True).stdout)  # noqa: S603
    if args.only:
        pages = [p for p in pages if p["name"] in args.only]
    out = Path(args.out)
    rows, failed = [], False
    for page in pages:
        report = out / f"{page['name']}.json"
        data = run_median(args.lighthouse, args.base + page["path"], page["cookie"], report, args.runs)
        if data.get("runtimeError"):
            print(f"{page['name']}: {data['runtimeError'].get('message')}", file=sys.stderr)
        final = data.get("finalDisplayedUrl") or data.get("finalUrl")
        if final and final.rstrip("/") != (args.base + page["path"]).rstrip("/"):
            print(f"{page['name']}: redirected to {final}", file=sys.stderr)
            failed = True
        scores = {c: data["categories"][c]["score"] for c in TARGETS}
        misses = [c for c, target in TARGETS.items() if scores[c] is None or scores[c] < target]
        failed = failed or bool(misses)
        rows.append((page, scores, misses))
        for category in misses:
            print(f"  {page['name']} {category}: " + "; ".join(losses(data, category)[:8]), file=sys.stderr)
    print()
    print(f"| page | role | {' | '.join(TARGETS)} |")
    print("|---|---|" + "---|" * len(TARGETS))
    for page, scores, misses in rows:
        cells = [f"{scores[c]:.2f}" if scores[c] is not None else "–" for c in TARGETS]
        cells = [f"**{cell}**" if c in misses else cell for c, cell in zip(TARGETS, cells)]
        print(f"| {page['name']} `{page['path']}` | {page['role'] or 'anonymous'} | {' | '.join(cells)} |")
    print()
    print("targets: " + ", ".join(f"{c} ≥ {t}" for c, t in TARGETS.items()) + f"; reports in {out}/")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
