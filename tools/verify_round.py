#!/usr/bin/env python3
"""Check a quiz round's published results from its anonymized bundle and its sealed key file.

    python3 verify_round.py results.zip seal.json [--commitment HEX] [--erratum dinh-chinh-….json …]
    python3 verify_round.py --proof proof.json --commitment HEX

Python 3.11+ standard library only: no access to the contest's server or database is needed.
From the bundle (results.zip, «Kết quả ẩn danh») and the key file (the round's «Tệp đáp án
niêm phong»), it recomputes every attempt's receipt, every score (right answers from the key
file; an answer counts when it was saved by the attempt's deadline), every duration, each
entrant's best attempt, the ranking under the round's rule, the prize list and the results
commitment. A round whose key was corrected after the seal (errata, «Đính chính đáp án») is scored
by the key at the end of the chain: each erratum's key file names the fingerprint of the key file
before it (the seal's for the first), changes one question (annulled: right for every attempt that
drew it; re-keyed: the letters it accepts) and nothing else; the files are in the bundle, or given
with --erratum (downloaded from the round's page), and a broken chain is a difference. The results
commitment (the Merkle root of the receipts), and compares them with what the bundle says and,
with --commitment, with the «Mã kết quả» shown on the round's page since its close.

Exit status 0 when everything recomputes (a short summary is printed), 1 with the differences,
2 when a file cannot be read. The formats are described in the project's docs/seal.md.
"""

import argparse
import datetime
import hashlib
import json
import sys
import unicodedata
import zipfile

RECEIPT_FORMAT = "bien-nhan/1"
BUNDLE_FORMAT = "ket-qua/1"
PROOF_FORMAT = "chung-minh/1"
ERRATUM_FORMAT = "dinh-chinh/1"
ERRATUM_KEYS = {
    "format", "contest", "round", "seq", "previous", "question", "action", "was", "answer", "reason", "decided_at",
    "answers", "nonce",
}  # fmt: skip
ANNULLED = "*"
BUNDLE_MEMBER = "ket-qua.json"
TIERS = ("first", "second", "third", "consolation")
EXTRA_MINUTES_MAX = 120  # the most extra time an organizer may grant one contestant
MAX_LINES = 60


# --- Encoding (as the key file: docs/seal.md) -----------------------------------------------------


def _nfc(value):
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, dict):
        return {_nfc(k): _nfc(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_nfc(v) for v in value]
    return value


def canonical(value) -> bytes:
    text = json.dumps(_nfc(value), ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return (text + "\n").encode("utf-8")


def receipt_of(attempt: dict) -> str:
    """SHA-256 of the attempt's record: every field of the bundle's entry but seq, receipt, score."""
    record = {
        "format": RECEIPT_FORMAT,
        "round": attempt["round"],
        "attempt": attempt["attempt"],
        "entrant": attempt["entrant"],
        "started_at": attempt["started_at"],
        "deadline": attempt["deadline"],
        "finished_at": attempt["finished_at"],
        "duration_ms": attempt["duration_ms"],
        "prediction": attempt["prediction"],
        "answers": sorted(
            ({"code": a["code"], "choice": a["choice"], "at": a["at"]} for a in attempt["answers"]), key=lambda a: a["code"]
        ),
        "nonce": attempt["nonce"],
    }
    return hashlib.sha256(canonical(record)).hexdigest()


def moment(text: str) -> datetime.datetime:
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.UTC)


# --- The Merkle tree --------------------------------------------------------------------------------


def leaf_hash(receipt: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + receipt).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def merkle_root(receipts) -> str:
    """Leaves sorted; leaf = SHA-256(0x00 || receipt), node = SHA-256(0x01 || left || right), an
    odd node promoted unchanged; no receipt at all: SHA-256 of nothing."""
    level = [leaf_hash(r) for r in sorted(bytes.fromhex(x) for x in receipts)]
    if not level:
        return hashlib.sha256(b"").hexdigest()
    while len(level) > 1:
        level = [node_hash(level[i], level[i + 1]) if i + 1 < len(level) else level[i] for i in range(0, len(level), 2)]
    return level[0].hex()


def check_proof(proof: dict, commitment: str | None) -> list[str]:
    problems = []
    if proof.get("format") != PROOF_FORMAT:
        return [f"the proof file is not a {PROOF_FORMAT} file"]
    try:
        value = leaf_hash(bytes.fromhex(proof["receipt"]))
        for step in proof["path"]:
            sibling = bytes.fromhex(step["hash"])
            value = node_hash(sibling, value) if step["side"] == "left" else node_hash(value, sibling)
    except (KeyError, TypeError, ValueError) as exc:
        return [f"the proof file is malformed ({exc})"]
    root = value.hex()
    if root != proof.get("commitment"):
        problems.append(f"the path leads to {root}, the proof file names the commitment {proof.get('commitment')}")
    if commitment is not None and root != commitment.lower():
        problems.append(f"the path leads to {root}, not to the commitment given {commitment.lower()}")
    return problems


# --- The round ----------------------------------------------------------------------------------------


def follow_errata(seal_sha: str, answers: dict, files: list[bytes], differ) -> tuple[dict, list[str]]:
    """The key at the end of the chain seal → erratum 1 → erratum 2 …, and each file's SHA-256."""
    current, fingerprints = seal_sha, []
    for seq, data in enumerate(files, start=1):
        name = f"erratum {seq}"
        fingerprints.append(hashlib.sha256(data).hexdigest())
        try:
            content = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            differ(f"{name}: not a JSON file")
            break
        if (
            not isinstance(content, dict)
            or content.get("format") != ERRATUM_FORMAT
            or set(content) != ERRATUM_KEYS
            or not isinstance(content["answers"], dict)
        ):
            differ(f"{name}: not a {ERRATUM_FORMAT} file")
            break
        if canonical(content) != data:
            differ(f"{name}: the file is not in its canonical form")
        if content["seq"] != seq:
            differ(f"{name}: the file says it is erratum {content['seq']}")
        if content["previous"] != current:
            differ(f"{name}: broken chain: it follows {content['previous']}, the key file before it is {current}")
        code, answer = content["question"], content["answer"]
        if code not in answers:
            differ(f"{name}: question {code} is not in the key")
        elif content["was"] != answers[code]:
            differ(f"{name}: question {code} was {content['was']} by the file, {answers[code]} by the key before it")
        if content["action"] not in ("annul", "rekey") or (content["action"] == "annul") != (answer == ANNULLED):
            differ(f"{name}: its action and its new answer do not agree")
        expected = {**answers, code: answer}
        if content["answers"] != expected:
            stated = content["answers"]
            changed = sorted(c for c in expected.keys() | stated.keys() if expected.get(c) != stated.get(c))
            differ(f"{name}: the key of {', '.join(changed)} changed without being the erratum's question")
        answers, current = content["answers"], fingerprints[-1]
    return answers, fingerprints


def answer_right(key, letter, counts: bool) -> bool:
    """quiz/scoring.py answer_right: an annulled question is right for all; else the letter chosen
    in time is one the key accepts."""
    if key == ANNULLED:
        return True
    return bool(counts and key and letter and len(letter) == 1 and letter in key)


class Check:
    def __init__(self):
        self.problems: list[str] = []

    def differ(self, message: str) -> None:
        self.problems.append(message)


def rank_key(attempt: dict, rule: str, actual: int | None) -> tuple:
    """quiz/ranking.py: score (higher first), [prediction gap (none: last)], time taken, finish,
    then the order of start (seq stands for the attempt id)."""
    finished = moment(attempt["finished_at"])
    if rule == "score_prediction_time":
        gap = float("inf") if attempt["prediction"] is None else abs(attempt["prediction"] - actual)
        return (-attempt["_score"], gap, attempt["duration_ms"], finished, attempt["seq"])
    return (-attempt["_score"], attempt["duration_ms"], finished, attempt["seq"])


def verify(bundle: dict, seal_bytes: bytes, commitment: str | None, errata: list[bytes] = ()) -> tuple[list[str], str]:
    check = Check()
    differ = check.differ
    if bundle.get("format") != BUNDLE_FORMAT:
        return [f"the bundle is not a {BUNDLE_FORMAT} file"], ""
    seal_sha = hashlib.sha256(seal_bytes).hexdigest()
    if seal_sha != bundle.get("seal"):
        differ(f"seal differs: the key file's SHA-256 is {seal_sha}, the bundle names {bundle.get('seal')}")
    key = json.loads(seal_bytes.decode("utf-8"))
    if canonical(key) != seal_bytes:
        differ("the key file is not in its canonical form")
    if key.get("contest") != bundle.get("contest") or key["round"]["number"] != bundle["round"]["number"]:
        differ("the key file is not this round's: contest or round number differ")
    rules = key["round"]
    right = {q["code"]: q["answer"] for q in key["questions"]}
    right, fingerprints = follow_errata(seal_sha, right, list(errata), differ)
    if fingerprints != list(bundle.get("errata") or []):
        differ(f"errata differ: the bundle names {bundle.get('errata') or []}, the files given are {fingerprints}")
    round_id = bundle["round"]["id"]
    attempts = bundle["attempts"]

    # Receipts, scores, durations.
    seen_ids, seen_seq = set(), set()
    limit = datetime.timedelta(seconds=rules["time_limit_seconds"], minutes=EXTRA_MINUTES_MAX)
    for a in attempts:
        name = f"attempt {a['attempt']}"
        if a["attempt"] in seen_ids or a["seq"] in seen_seq:
            differ(f"{name}: appears twice")
        seen_ids.add(a["attempt"])
        seen_seq.add(a["seq"])
        if a["round"] != round_id:
            differ(f"{name}: belongs to round {a['round']}, not {round_id}")
        if receipt_of(a) != a["receipt"]:
            differ(f"{name}: receipt does not match its answers (recomputed {receipt_of(a)}, bundle {a['receipt']})")
        started, deadline, finished = moment(a["started_at"]), moment(a["deadline"]), moment(a["finished_at"])
        codes = [x["code"] for x in a["answers"]]
        if len(set(codes)) != len(codes):
            differ(f"{name}: a question appears twice")
        score = 0
        for x in a["answers"]:
            if x["code"] not in right:
                differ(f"{name}: question {x['code']} is not in the sealed key file")
                continue
            counts = x["choice"] is not None and x["at"] is not None and moment(x["at"]) <= deadline
            score += answer_right(right[x["code"]], x["choice"], counts)
        a["_score"] = score
        if a.get("score") != score:
            differ(f"{name}: score published {a.get('score')}, recomputed {score}")
        if not started <= finished <= deadline:
            differ(f"{name}: finished outside the time from its start to its deadline")
        if deadline - started > limit:
            differ(f"{name}: deadline later than the time limit (with the most extra time) allows")
        duration = max(0, int((finished - started).total_seconds() * 1000))
        if a["duration_ms"] != duration:
            differ(f"{name}: time taken published {a['duration_ms']} ms, recomputed {duration} ms")

    # The commitment.
    root = merkle_root(a["receipt"] for a in attempts)
    if root != bundle.get("commitment"):
        differ(f"commitment differs: bundle {bundle.get('commitment')} vs expected {root}")
    if commitment is not None and root != commitment.lower():
        differ(f"commitment differs: given {commitment.lower()} vs expected {root}")

    summary = f"round {bundle['round']['number']} ({bundle['contest']}): {len(attempts)} attempts, commitment {root}"
    if fingerprints:
        summary += f", {len(fingerprints)} errata (key now {fingerprints[-1]})"
    if rules["kind"] == "practice":
        return check.problems, summary

    # Best attempt per entrant, ranking, prizes.
    results = bundle["results"]
    out = set(results["disqualified"])
    rule = rules["ranking_rule"]
    n = rules["questions_per_attempt"]
    by_entrant: dict[str, list[dict]] = {}
    for a in attempts:
        by_entrant.setdefault(a["entrant"], []).append(a)
    actual = None
    if rule == "score_prediction_time":
        actual = sum(1 for e, xs in by_entrant.items() if e not in out and any(x["_score"] == n for x in xs))
        if bundle.get("full_score_count") is not None and bundle["full_score_count"] != actual:
            differ(f"full scores: published {bundle['full_score_count']}, recomputed {actual}")
    best = {e: min(xs, key=lambda x: rank_key(x, rule, actual)) for e, xs in by_entrant.items()}
    ranking = sorted((a for e, a in best.items() if e not in out), key=lambda a: rank_key(a, rule, actual))
    tiers = [tier for tier in TIERS for _i in range(rules["prizes"][tier])]
    skipped = set(results["invalid"]) | set(results["not_eligible"])
    minimum = rules["prizes"].get("min_score", 0)  # absent: no minimum (files sealed before it existed)
    wanted = []
    for place, a in enumerate(ranking, start=1):
        if len(wanted) == len(tiers) or a["_score"] < minimum:
            break
        if a["entrant"] in skipped:
            continue
        wanted.append({"entrant": a["entrant"], "tier": tiers[len(wanted)], "rank": place})
    published = {p["entrant"]: p for p in results["prizes"]}
    for p in wanted:
        got = published.pop(p["entrant"], None)
        if got is None:
            differ(f"entrant {p['entrant']}: should hold {p['tier']} (place {p['rank']}) but is not on the prize list")
        elif (got["tier"], got["rank"]) != (p["tier"], p["rank"]):
            differ(
                f"entrant {p['entrant']}: published {got['tier']} at place {got['rank']}, "
                f"recomputed {p['tier']} at place {p['rank']}"
            )
    for entrant, p in sorted(published.items()):
        differ(f"entrant {entrant}: published {p['tier']} at place {p['rank']}, but the recomputed ranking gives no prize")
    summary += f", {len(by_entrant)} entrants, {len(ranking)} ranked, {len(wanted)} prizes"
    return check.problems, summary


def read_bundle(path: str) -> tuple[dict, list[bytes]]:
    """The bundle and the errata's key files it holds (dinh-chinh-1.json, dinh-chinh-2.json …)."""
    with zipfile.ZipFile(path) as archive:
        bundle = json.loads(archive.read(BUNDLE_MEMBER).decode("utf-8"))
        names = set(archive.namelist())
        errata, seq = [], 1
        while f"dinh-chinh-{seq}.json" in names:
            errata.append(archive.read(f"dinh-chinh-{seq}.json"))
            seq += 1
    return bundle, errata


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("bundle", nargs="?", help="results.zip (the round's anonymized results)")
    parser.add_argument("seal", nargs="?", help="the round's sealed key file (dap-an-….json)")
    parser.add_argument("--commitment", help="the «Mã kết quả» shown on the round's page (64 hex digits)")
    parser.add_argument("--proof", help="an inclusion proof (JSON) to check against --commitment")
    parser.add_argument(
        "--erratum", action="append", default=[],
        help="an erratum's key file (dinh-chinh-….json), in order; repeat for each (default: the files in results.zip)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    try:
        if args.proof:
            with open(args.proof, "rb") as f:
                proof = json.loads(f.read().decode("utf-8"))
            problems = check_proof(proof, args.commitment)
            summary = f"receipt {proof.get('receipt')} is in the commitment {proof.get('commitment')}"
        else:
            if not args.bundle or not args.seal:
                parser.error("give results.zip and seal.json, or --proof")
            bundle, errata = read_bundle(args.bundle)
            with open(args.seal, "rb") as f:
                seal_bytes = f.read()
            if args.erratum:
                errata = []
                for name in args.erratum:
                    with open(name, "rb") as f:
                        errata.append(f.read())
            problems, summary = verify(bundle, seal_bytes, args.commitment, errata)
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        print(f"cannot read the files: {exc}", file=sys.stderr)
        return 2
    if problems:
        print(f"NOT VERIFIED: {len(problems)} difference(s)")
        for line in problems[:MAX_LINES]:
            print(f"  - {line}")
        if len(problems) > MAX_LINES:
            print(f"  … and {len(problems) - MAX_LINES} more")
        return 1
    print(f"OK: {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
