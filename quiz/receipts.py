"""Receipts, the results commitment, the results bundle and inclusion proofs (docs/seal.md,
"Biên nhận và mã kết quả").

- **Receipt** (biên nhận): when an attempt finishes — submitted, or closed at its deadline, both
  through `quiz.services.attempts._finish` — the SHA-256 of its canonical record (the round, a random
  public id, the contestant's pseudonym, the times, the answers by question code and letter, the
  prediction, a random nonce) is stored with it and shown to the contestant.
- **Commitment** (mã kết quả): when the round closes, before any prize is drafted, the Merkle
  root over every finished attempt's receipt is stored once (`RoundCommitment`, append-only) and
  shown on the round's page.
- **Bundle** (results.zip): with the results, every attempt's record, nonce and receipt under
  pseudonyms, and the published prize outcome: `tools/verify_round.py` recomputes every receipt,
  score, best attempt, place, prize and the commitment from it and the sealed key file.
- **Inclusion proof**: the Merkle path of one receipt to the commitment.

The encodings here are mirrored by tools/verify_round.py (standard library only): change one,
change both, and the format names.
"""

import datetime
import hashlib
import io
import json
import secrets
import zipfile
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from contests.decisions import Action, decision_record
from contests.enums import ContestStatus, PrizeStatus

from . import pool_cache
from .errors import QuizError
from .models import Attempt, AttemptQuestion, Option, Prize, Round, RoundCommitment, RoundEntry, RoundErratum, RoundSeal
from .seal import seal_encode

FORMAT = "bien-nhan/1"
BUNDLE_FORMAT = "ket-qua/1"
PROOF_FORMAT = "chung-minh/1"
BUNDLE_MEMBER = "ket-qua.json"
NONCE_BYTES = 32
PUBLIC_ID_BYTES = 8
LEAF, NODE = b"\x00", b"\x01"
# The columns receipt_stamp sets, for the caller's UPDATE.
RECEIPT_FIELDS = ("receipt", "receipt_nonce", "public_id", "entrant_code")
# The root of a round without any finished attempt: the SHA-256 of nothing.
EMPTY_ROOT = hashlib.sha256(b"").hexdigest()
# Zip entries carry a date; a fixed one makes the same bundle the same bytes.
ZIP_DATE = (2000, 1, 1, 0, 0, 0)


# --- The receipt --------------------------------------------------------------------------------------


def time_text(value: datetime.datetime | None) -> str | None:
    """A moment as the receipt writes it: UTC, microseconds, `Z` (2026-12-07T04:33:16.123456Z).
    One width for every moment, so the text sorts as the moments do."""
    if value is None:
        return None
    # isoformat, not strftime: the same text, and it is most of a receipt's cost.
    return value.astimezone(datetime.UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def entrant_code(*, round_id: int, user_id: int) -> str:
    """A contestant's pseudonym in one round (16 hex digits): the same for all their attempts of
    the round, unrelated across rounds, never the user's id. A keyed hash (the site's secret), so
    nobody outside can compute it from an id."""
    return salted_hmac("quiz.receipts.entrant", f"{round_id}:{user_id}", algorithm="sha256").hexdigest()[:16]


def receipt_content(
    *, round_id: int, public_id: str, entrant: str, started_at, deadline, finished_at, duration_ms: int,
    prediction: int | None, answers, nonce: str,
) -> dict:  # fmt: skip
    """The record a receipt hashes. `answers`: (question code, chosen letter or None, saved at or
    None) for every question drawn; sorted here by code."""
    return {
        "format": FORMAT,
        "round": round_id,
        "attempt": public_id,
        "entrant": entrant,
        "started_at": time_text(started_at),
        "deadline": time_text(deadline),
        "finished_at": time_text(finished_at),
        "duration_ms": duration_ms,
        "prediction": prediction,
        "answers": sorted(
            ({"code": code, "choice": letter, "at": time_text(at)} for code, letter, at in answers), key=lambda a: a["code"]
        ),
        "nonce": nonce,
    }


def receipt_hash(content: dict) -> str:
    """SHA-256 of the record's canonical bytes (the key file's encoding: docs/seal.md)."""
    return hashlib.sha256(seal_encode(content)).hexdigest()


def _labels(round: Round, question_ids, option_ids) -> tuple[dict[int, str], dict[int, str]]:
    """Question codes and option letters: from the sealed pool in memory (no query), from the
    bank for anything outside it (an attempt written by an import)."""
    pool = pool_cache.sealed_pool(round=round)
    codes = {qid: pool.questions[qid].code for qid in question_ids if qid in pool.questions and pool.questions[qid].code}
    letters = {oid: pool.options[oid].letter for oid in option_ids if oid in pool.options and pool.options[oid].letter}
    missing_q = [qid for qid in question_ids if qid not in codes]
    if missing_q:
        from .models import Question

        codes.update(Question.objects.filter(pk__in=missing_q).values_list("pk", "code"))
    missing_o = [oid for oid in option_ids if oid not in letters]
    if missing_o:
        letters.update(Option.objects.filter(pk__in=missing_o).values_list("pk", "letter"))
    return codes, letters


def receipt_stamp(attempt: Attempt, *, rows) -> None:
    """Give a finishing attempt its nonce, pseudonyms and receipt (set on the instance; the
    caller's UPDATE stores them). `rows`: (question id, option ids in the attempt's order, chosen
    index, saved at) of each question, as scored. One hash; the labels come from memory."""
    rows = list(rows)
    chosen = {}
    for qid, option_ids, index, _at in rows:
        if index is not None and 0 <= index < len(option_ids):
            chosen[qid] = option_ids[index]
    codes, letters = _labels(attempt.round, [r[0] for r in rows], chosen.values())
    attempt.receipt_nonce = secrets.token_hex(NONCE_BYTES)
    attempt.public_id = secrets.token_hex(PUBLIC_ID_BYTES)
    attempt.entrant_code = entrant_code(round_id=attempt.round_id, user_id=attempt.user_id)
    answers = [(codes[qid], letters.get(chosen[qid]) if qid in chosen else None, at) for qid, _ids, _i, at in rows]
    attempt.receipt = receipt_hash(_content_of(attempt, answers))


def _content_of(attempt, answers) -> dict:
    return receipt_content(
        round_id=attempt.round_id, public_id=attempt.public_id, entrant=attempt.entrant_code, started_at=attempt.started_at,
        deadline=attempt.deadline, finished_at=attempt.finished_at, duration_ms=attempt.duration_ms,
        prediction=attempt.prediction, answers=answers, nonce=attempt.receipt_nonce,
    )  # fmt: skip


@dataclass
class StoredAttempt:
    """A finished attempt as stored, with the record its receipt should hash."""

    pk: int
    user_id: int
    score: int | None
    receipt: str
    content: dict

    @property
    def recomputed(self) -> str:
        return receipt_hash(self.content)


_ATTEMPT_FIELDS = (
    "pk", "user_id", "round_id", "started_at", "deadline", "finished_at", "duration_ms", "prediction", "score",
    "receipt", "receipt_nonce", "public_id", "entrant_code",
)  # fmt: skip


def stored_attempts_chunks(*, round: Round, missing: bool = False, chunk: int = 5000) -> Iterator[list[StoredAttempt]]:
    """The finished attempts of the round with the record rebuilt from the stored rows, `chunk`
    at a time in id order (three queries a chunk, the memory of one chunk whatever the round's
    size: a national round has a million attempts and twenty million answers). `missing`: only
    the attempts that have no receipt yet."""
    attempts = Attempt.objects.filter(round=round).finished().order_by("pk")
    if missing:
        attempts = attempts.filter(receipt="")
    letters: dict[int, str] = {}
    after = 0
    while rows := list(attempts.filter(pk__gt=after).values_list(*_ATTEMPT_FIELDS)[:chunk]):
        after = rows[-1][0]
        answers: dict[int, list] = defaultdict(list)
        raw = []
        items = (
            AttemptQuestion.objects.filter(attempt_id__in=[row[0] for row in rows])
            .order_by()
            .values_list("attempt_id", "question__code", "option_ids", "chosen_index", "answered_at")
        )
        for attempt_id, code, ids, index, at in items:
            oid = ids[index] if index is not None and isinstance(ids, list) and 0 <= index < len(ids) else None
            raw.append((attempt_id, code, oid, at))
        unknown = {oid for _a, _c, oid, _at in raw if oid is not None and oid not in letters}
        if unknown:
            letters.update(Option.objects.filter(pk__in=unknown).values_list("pk", "letter"))
        for attempt_id, code, oid, at in raw:
            answers[attempt_id].append((code, None if oid is None else letters.get(oid), at))
        out = []
        for row in rows:
            a = dict(zip(_ATTEMPT_FIELDS, row, strict=True))
            attempt = Attempt(**{k: v for k, v in a.items() if k != "pk"}, pk=a["pk"])
            content = _content_of(attempt, answers[a["pk"]])
            out.append(StoredAttempt(pk=a["pk"], user_id=a["user_id"], score=a["score"], receipt=a["receipt"], content=content))
        yield out


def stored_attempts(*, round: Round) -> dict[int, StoredAttempt]:
    """Every finished attempt of the round, by id, with the record rebuilt from the stored rows:
    what verify_results and the bundle read (`stored_attempts_chunks`, all of it in memory)."""
    return {stored.pk: stored for chunk in stored_attempts_chunks(round=round) for stored in chunk}


def receipts_fill(*, round: Round, rebuild: bool = False) -> int:
    """Give the finished attempts of a round that have none (finished before receipts existed, or
    written in bulk by the simulation) their receipt, from what is stored; `rebuild`: every
    attempt's (the demo moves its attempts back in time after playing them). Refuses a committed
    round: from the commitment on a receipt never changes. Streamed a chunk at a time, and only
    the attempts without a receipt are read unless `rebuild`: when a round closes, every attempt
    has had its receipt since it finished, and this reads nothing. Returns the receipts written."""
    if RoundCommitment.objects.filter(round_id=round.pk).exists():
        raise QuizError(_("Tuần thi đã có mã kết quả; biên nhận không bao giờ được lập lại."), code="committed")
    written = 0
    for chunk in stored_attempts_chunks(round=round, missing=not rebuild):
        changed = []
        for stored in chunk:
            content = stored.content
            if not content["nonce"]:
                content["nonce"] = secrets.token_hex(NONCE_BYTES)
                content["attempt"] = secrets.token_hex(PUBLIC_ID_BYTES)
            content["entrant"] = entrant_code(round_id=round.pk, user_id=stored.user_id)
            changed.append((stored.pk, receipt_hash(content), content["nonce"], content["attempt"], content["entrant"]))
        _receipts_write(changed)
        written += len(changed)
    return written


def _receipts_write(rows: list[tuple]) -> None:
    """Store (id, receipt, nonce, public id, entrant code) rows: on PostgreSQL one UPDATE … FROM
    a VALUES list per chunk (bulk_update's CASE per column was most of a simulated round's close,
    built in Python); elsewhere bulk_update."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        Attempt.objects.bulk_update([Attempt(pk=pk, **dict(zip(RECEIPT_FIELDS, values))) for pk, *values in rows],
                                    list(RECEIPT_FIELDS), batch_size=1000)  # fmt: skip
        return
    table = Attempt._meta.db_table
    placeholders = ", ".join(["(%s::bigint, %s, %s, %s, %s)"] * len(rows))
    columns = ", ".join(f"{name} = v.{name}" for name in RECEIPT_FIELDS)
    with connection.cursor() as cursor:
        cursor.execute(
            # Names from the code, every value a parameter.
            f"UPDATE {table} AS a SET {columns} FROM (VALUES {placeholders}) AS v(id, {', '.join(RECEIPT_FIELDS)}) "  # noqa: S608
            "WHERE a.id = v.id",
            [value for row in rows for value in row],
        )


# --- The Merkle tree ----------------------------------------------------------------------------------


def leaf_hash(receipt: bytes) -> bytes:
    return hashlib.sha256(LEAF + receipt).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(NODE + left + right).digest()


def merkle_levels(leaves: list[bytes]) -> list[list[bytes]]:
    """The tree, from the leaf hashes up to the root: each level pairs neighbours left to right,
    an odd one out is promoted unchanged. `leaves`: the receipts (32 bytes each), sorted."""
    level = [leaf_hash(r) for r in leaves]
    levels = [level]
    while len(level) > 1:
        level = [node_hash(level[i], level[i + 1]) if i + 1 < len(level) else level[i] for i in range(0, len(level), 2)]
        levels.append(level)
    return levels


def merkle_root(receipts) -> str:
    """The commitment over a set of receipts (hex strings or bytes, any order)."""
    leaves = sorted(bytes.fromhex(r) if isinstance(r, str) else bytes(r) for r in receipts)
    if not leaves:
        return EMPTY_ROOT
    return merkle_levels(leaves)[-1][0].hex()


def merkle_path(levels: list[list[bytes]], index: int) -> list[dict]:
    """The siblings from leaf `index` to the root: [{"side": "left"|"right", "hash": hex}], the
    side the sibling stands on. A promoted node has no sibling at that level."""
    path = []
    for level in levels[:-1]:
        sibling = index ^ 1
        if sibling < len(level):
            path.append({"side": "left" if sibling < index else "right", "hash": level[sibling].hex()})
        index //= 2
    return path


def proof_check(*, receipt: str, path: list[dict], root: str) -> bool:
    """Whether the path leads from the receipt to the root (what tools/verify_round.py --proof does)."""
    try:
        value = leaf_hash(bytes.fromhex(receipt))
        for step in path:
            sibling = bytes.fromhex(step["hash"])
            value = node_hash(sibling, value) if step["side"] == "left" else node_hash(value, sibling)
    except (ValueError, KeyError, TypeError):
        return False
    return value.hex() == root


# --- The commitment -----------------------------------------------------------------------------------


def commitment_leaves(commitment: RoundCommitment) -> list[bytes]:
    data = bytes(commitment.leaves)
    return [data[i : i + 32] for i in range(0, len(data), 32)]


@transaction.atomic
def round_commit(*, round: Round, by=None) -> RoundCommitment:
    """Commit a closed round's results, once: attempts left open are closed at their deadline,
    any finished attempt without a receipt gets one (`receipts_fill`), and the Merkle root over
    every receipt is stored with the sorted receipts and recorded in the decision log. Returns
    the commitment already stored when there is one (safe to run again)."""
    round = Round.objects.select_for_update().select_related("contest").get(pk=round.pk)
    existing = RoundCommitment.objects.filter(round_id=round.pk).first()
    if existing is not None:
        return existing
    if not round.is_closed:
        raise QuizError(_("Chỉ chốt mã kết quả sau khi tuần thi đã đóng."), code="open")
    from .services.attempts import finalize_round_attempts  # services.attempts imports this module

    finalize_round_attempts(round=round)
    receipts_fill(round=round)
    receipts = sorted(bytes.fromhex(r) for r in Attempt.objects.filter(round=round).finished().values_list("receipt", flat=True))
    root = merkle_root(receipts)
    commitment = RoundCommitment.objects.create(round=round, root=root, leaf_count=len(receipts), leaves=b"".join(receipts))
    decision_record(action=Action.COMMIT_RESULTS, obj=round, by=by, data={"root": root, "attempts": len(receipts)})
    return commitment


def rounds_to_commit(*, now=None):
    """Sealed rounds closed (with the submit's grace) that have no commitment yet, outside
    archived contests (their results never change)."""
    from .services.attempts import SUBMIT_GRACE

    now = now or timezone.now()
    return (
        Round.objects.filter(approved_at__isnull=False, closes_at__lte=now - SUBMIT_GRACE, commitment__isnull=True)
        .exclude(contest__status=ContestStatus.ARCHIVED)
        .order_by("closes_at", "pk")
    )


def rounds_commit_due(*, now=None) -> int:
    """The beat's step after closing expired attempts: commit every round that has closed."""
    done = 0
    for round in rounds_to_commit(now=now):
        round_commit(round=round)
        done += 1
    return done


@dataclass(frozen=True)
class CommitmentInfo:
    """What a round's page shows of its commitment: the root, in groups that wrap on a phone."""

    round_id: int
    root: str
    leaf_count: int
    bundle: bool  # the results bundle is public

    @property
    def groups(self) -> list[str]:
        return [self.root[i : i + 16] for i in range(0, len(self.root), 16)]


def commitment_info(*, round: Round) -> CommitmentInfo | None:
    """The «Mã kết quả» block: nothing before the close, one query after."""
    if not round.is_closed:
        return None
    row = RoundCommitment.objects.filter(round_id=round.pk).values("root", "leaf_count").first()
    if row is None:
        return None
    return CommitmentInfo(
        round_id=round.pk, root=row["root"], leaf_count=row["leaf_count"], bundle=round.results_published_at is not None
    )


# --- The inclusion proof ------------------------------------------------------------------------------


def normalize_receipt(text: str) -> str | None:
    """A receipt as typed or pasted (spaces, capitals, line breaks allowed): 64 hex digits, or None."""
    value = "".join((text or "").split()).lower()
    if len(value) == 64 and all(c in "0123456789abcdef" for c in value):
        return value
    return None


def inclusion_proof(*, commitment: RoundCommitment, receipt: str) -> dict | None:
    """The proof that `receipt` is a leaf of the committed tree, or None when it is not. Read
    from the stored leaves (what was committed), never from the attempts as they are now."""
    leaves = commitment_leaves(commitment)
    target = bytes.fromhex(receipt)
    low, high = 0, len(leaves)
    while low < high:  # the leaves are sorted: a binary search
        mid = (low + high) // 2
        if leaves[mid] < target:
            low = mid + 1
        else:
            high = mid
    if low == len(leaves) or leaves[low] != target:
        return None
    levels = merkle_levels(leaves)
    return {
        "format": PROOF_FORMAT,
        "round": commitment.round_id,
        "receipt": receipt,
        "index": low,
        "leaf_count": len(leaves),
        "path": merkle_path(levels, low),
        "commitment": commitment.root,
    }


def proof_bytes(proof: dict) -> bytes:
    return seal_encode(proof)


# --- The results bundle -------------------------------------------------------------------------------


def bundle_content(*, round: Round) -> dict:
    """The anonymized results of a published round: every finished attempt's record, nonce and
    receipt under pseudonyms (`seq`: the attempts' order of start, the ranking's last tie-breaker),
    the commitment, the seal's fingerprint and the published prize outcome."""
    from accounts.models import User
    from accounts.roles import may_win_prize

    from . import ranking

    seal = RoundSeal.objects.filter(round_id=round.pk).values_list("sha256", flat=True).first()
    commitment = RoundCommitment.objects.filter(round_id=round.pk).values_list("root", flat=True).first()
    stored = stored_attempts(round=round)
    by_user = {s.user_id: s.content["entrant"] for s in stored.values()}
    attempts = []
    for seq, (_pk, s) in enumerate(sorted(stored.items()), start=1):
        attempts.append({**s.content, "seq": seq, "receipt": s.receipt, "score": s.score})
    prizes = Prize.objects.filter(round=round).values_list("user_id", "tier", "rank", "status")
    disqualified = RoundEntry.objects.filter(round=round, disqualified=True).values_list("user_id", flat=True)
    # Who the draft passes over as not eligible (staff, switched-off accounts), among the ranked.
    ranked = list(ranking.ranked_entries(round=round).values_list("user_id", flat=True)) if stored else []
    users = User.objects.in_bulk(ranked)
    valid = [(u, t, r) for u, t, r, st in prizes if st != PrizeStatus.INVALID and u in by_user]
    passed_over = [u for u in ranked if u in by_user and (u not in users or not may_win_prize(users[u]))]
    return {
        "format": BUNDLE_FORMAT,
        "contest": round.contest.slug,
        "round": {"id": round.pk, "kind": round.kind, "number": round.number},
        "seal": seal,
        # The errata of the key, in order (quiz.errata): their files are in the zip beside it.
        "errata": list(RoundErratum.objects.filter(round_id=round.pk).order_by("seq").values_list("sha256", flat=True)),
        "commitment": commitment,
        "full_score_count": round.full_score_actual,
        "attempts": attempts,
        "results": {
            "prizes": sorted(({"entrant": by_user[u], "tier": t, "rank": r} for u, t, r in valid), key=lambda p: p["rank"]),
            "invalid": sorted(by_user[u] for u, _t, _r, st in prizes if st == PrizeStatus.INVALID and u in by_user),
            "disqualified": sorted(by_user[u] for u in disqualified if u in by_user),
            "not_eligible": sorted(by_user[u] for u in passed_over),
        },
    }


def bundle_build(*, round: Round) -> bytes:
    """results.zip: the bundle's canonical JSON (the key file's encoding) and a short note on how
    to check it. The same results give the same bytes."""
    data = seal_encode(bundle_content(round=round))
    with translation.override("vi"):  # the same bytes whatever the language of the request
        note = _(
            "Kết quả ẩn danh của tuần thi. Kiểm tra: python3 verify_round.py results.zip seal.json --commitment <mã kết quả>\n"
            "Cách kiểm tra và định dạng: trang «Niêm phong» của cuộc thi (/quiz/seal/).\n"
        ).encode()
    from .errata import bundle_member, errata_files  # quiz.errata builds on quiz.seal, as this module does

    members = [(BUNDLE_MEMBER, data), ("DOC-TOI.txt", note)]
    members += [(bundle_member(seq), key_file) for seq, key_file, _sha in errata_files(round=round)]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members:
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, content)
    return buffer.getvalue()


def bundle_cached(*, round: Round) -> bytes:
    """The bundle, rebuilt when what it says may have changed (the prize list after an
    amendment, a disqualification, an erratum): the cache key carries a digest of those rows."""
    state = [
        round.results_published_at.isoformat() if round.results_published_at else "",
        sorted(Prize.objects.filter(round=round).values_list("user_id", "tier", "rank", "status")),
        sorted(RoundEntry.objects.filter(round=round, disqualified=True).values_list("user_id", flat=True)),
        list(RoundErratum.objects.filter(round_id=round.pk).order_by("seq").values_list("sha256", flat=True)),
    ]
    digest = hashlib.sha256(json.dumps(state, default=str).encode()).hexdigest()[:16]
    key = f"quiz:results-bundle:{round.pk}:{digest}"
    data = cache.get(key)
    if data is None:
        data = bundle_build(round=round)
        cache.set(key, data, 3600)
    return data


def bundle_filename(round: Round) -> str:
    from .enums import RoundKind

    part = "thi-thu" if round.kind == RoundKind.PRACTICE else "tuan"
    return f"ket-qua-{round.contest.slug}-{part}-{round.number}.zip"
