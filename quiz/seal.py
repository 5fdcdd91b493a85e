"""The seal (niêm phong) of a round: one rule, used by the approval, the public page, the download,
the admin's answer-key export, the backfill command and the results verifier.

Approving a round writes its key file — the pool's questions, options and right answers, what
decides fairness (attempt size, time, attempt limit, ranking rule, review policy, prize plan,
blueprint) and a random 256-bit nonce — in one canonical form (docs/seal.md), stores those exact
bytes once and records their SHA-256 fingerprint. The round's page shows the fingerprint from the
opening; the file itself is published with the results, so anyone can check that
`sha256sum` of the file equals what was shown all along, and that the results follow from it.
The nonce makes the fingerprint unguessable: without it, someone could hash candidate keys until
one matched the fingerprint shown while the round is open."""

import datetime
import hashlib
import json
import secrets
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import rules
from .enums import RoundKind
from .errors import QuizError
from .models import BlueprintItem, Question, Round, RoundSeal, RoundWindowChange
from .round_fields import KEY_FILE_PATHS

# Version 2 adds each question's image (the SHA-256 of the stored image, or null). Files of
# version 1, written before images existed, still parse and verify (docs/seal.md).
FORMAT = "niem-phong/2"
FORMAT_V1 = "niem-phong/1"
FORMATS = {FORMAT_V1: 1, FORMAT: 2}
NONCE_BYTES = 32

# The names in the file's "round" object: the round's fields the classification puts in the key
# file (quiz.round_fields: "prizes" holds the four prize counts) and the blueprint.
ROUND_KEYS = (*dict.fromkeys(path[1] for path in KEY_FILE_PATHS.values() if path[0] == "round"), "blueprint")
# The pace limits came after the first key files were written: a file without them (and only
# without both) is a file of a round sealed before they existed, played without them.
PACE_KEYS = ("attempts_per_day", "min_start_interval_minutes")
# Fields the file writes only when they differ from the value that means «no such rule»: files of
# rounds sealed before the rule existed leave it out, and read (and rebuild) as that value.
KEY_DEFAULTS = {"prize_min_score": 0}
QUESTION_KEYS_V1 = ("answer", "code", "field", "options", "text")
QUESTION_KEYS = (*QUESTION_KEYS_V1, "image")


class SealFormatError(ValueError):
    """The bytes are not a key file in the canonical format."""


# --- The canonical form -------------------------------------------------------------------------------


def _normalize(value: Any) -> Any:
    """Every string NFC with "\\n" line ends, recursively (keys too): the same text typed on two
    keyboards (precomposed or combining Vietnamese diacritics) gives the same bytes."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))
    if isinstance(value, dict):
        return {_normalize(k): _normalize(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_normalize(v) for v in value]
    return value


def seal_encode(content: dict) -> bytes:
    """The canonical bytes of a key file's content: UTF-8 JSON, NFC text, keys sorted, no spaces,
    one trailing newline. Lists keep their order (seal_content sorts them)."""
    text = json.dumps(_normalize(content), ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return (text + "\n").encode("utf-8")


def seal_fingerprint(data: bytes) -> str:
    """The fingerprint (mã niêm phong): SHA-256 of the bytes, 64 lowercase hex digits — what
    `sha256sum` prints for the downloaded file."""
    return hashlib.sha256(bytes(data)).hexdigest()


def seal_content(round: Round, *, nonce: str, pace: bool = True, version: int = 2) -> dict:
    """What a round's key file says, from the bank as it is now (3 queries, 4 without the contest).
    `pace=False` leaves out the pace limits, as files written before they existed did;
    `version=1` leaves out the images, as files written before them did.

    Questions sorted by code and options by letter (Python's order of code points, never the
    database's collation, so PostgreSQL and SQLite agree); the blueprint sorted by field name."""
    items = BlueprintItem.objects.filter(round=round).values_list("field__name", "count")
    blueprint = sorted(({"count": count, "field": name} for name, count in items), key=lambda item: _normalize(item["field"]))
    questions = []
    for question in Question.objects.filter(round_entries__round=round).select_related("field").prefetch_related("options"):
        options = sorted(question.options.all(), key=lambda o: o.letter)
        right = [o.letter for o in options if o.is_correct]
        entry = {
            "code": question.code,
            "field": question.field.name,
            "text": question.text,
            "options": [{"letter": o.letter, "text": o.text} for o in options],
            # round_problems refuses approval unless there is exactly one right option.
            "answer": right[0] if len(right) == 1 else "".join(right),
        }
        if version >= 2:
            entry["image"] = question.image_sha256 or None
        questions.append(entry)
    questions.sort(key=lambda q: _normalize(q["code"]))
    content = {
        "format": FORMAT if version >= 2 else FORMAT_V1,
        "round": {"blueprint": blueprint},
        "questions": questions,
        "nonce": nonce,
    }
    # The round's fields, each where the classification puts it (quiz.round_fields.KEY_FILE_PATHS).
    for name, path in KEY_FILE_PATHS.items():
        if name in PACE_KEYS and not pace:
            continue
        if name in KEY_DEFAULTS and getattr(round, name) == KEY_DEFAULTS[name]:
            continue
        value = round.contest.slug if name == "contest" else getattr(round, name)
        parent = content
        for step in path[:-1]:
            parent = parent.setdefault(step, {})
        parent[path[-1]] = value
    return content


def seal_build(round: Round, *, nonce: str | None = None) -> bytes:
    """The canonical key file of a round. A fresh random nonce unless one is given (the verifier
    rebuilds with the stored nonce to compare byte for byte)."""
    return seal_encode(seal_content(round, nonce=nonce or secrets.token_hex(NONCE_BYTES)))


def seal_parse(data: bytes) -> dict:
    """Read a key file, refusing anything that is not exactly in the canonical form (so two
    different files can never describe the same key). Raises SealFormatError with the reason."""
    try:
        content = json.loads(bytes(data).decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise SealFormatError(_("Tệp không phải JSON UTF-8 hợp lệ.")) from exc
    if not isinstance(content, dict) or content.get("format") not in FORMATS:
        raise SealFormatError(_("Tệp không phải tệp đáp án niêm phong (định dạng %(f)s).") % {"f": " hoặc ".join(FORMATS)})
    round_part, questions = content.get("round"), content.get("questions")
    question_keys = set(QUESTION_KEYS if FORMATS[content["format"]] >= 2 else QUESTION_KEYS_V1)
    well_formed = (
        set(content) == {"format", "contest", "round", "questions", "nonce"}
        and isinstance(content["nonce"], str)
        and len(content["nonce"]) == 2 * NONCE_BYTES
        and isinstance(round_part, dict)
        and set(round_part) in (set(ROUND_KEYS), set(ROUND_KEYS) - set(PACE_KEYS))
        and isinstance(questions, list)
        and all(isinstance(q, dict) and set(q) == question_keys for q in questions)
        and all(q.get("image") is None or _is_sha256(q["image"]) for q in questions)
    )
    if not well_formed:
        raise SealFormatError(_("Tệp đáp án niêm phong thiếu hoặc thừa mục."))
    if seal_encode(content) != bytes(data):
        raise SealFormatError(_("Tệp đáp án niêm phong không ở dạng chuẩn (thứ tự, khoảng trắng hoặc chuẩn Unicode)."))
    return content


def _is_sha256(value) -> bool:
    return isinstance(value, str) and len(value) == 64 and all(c in "0123456789abcdef" for c in value)


def seal_version(content: dict) -> int:
    return FORMATS[content["format"]]


# --- Writing the seal once ----------------------------------------------------------------------------


def seal_record(*, round: Round, backfilled: bool = False, at=None) -> RoundSeal:
    """Build the round's key file and store it with its fingerprint and the round's window, once.
    Called by `round_approve` inside its transaction (and by `seal_backfill` for rounds approved
    before seals existed). Refuses a second seal; the one-to-one column stands behind the check.
    `at` (default now) dates it, for demo data played now and dated in the past."""
    if RoundSeal.objects.filter(round_id=round.pk).exists():
        raise QuizError(_("Tuần thi này đã có tệp đáp án niêm phong; tệp không bao giờ được lập lại."), code="sealed")
    nonce = secrets.token_hex(NONCE_BYTES)
    data = seal_encode(seal_content(round, nonce=nonce))
    try:
        with transaction.atomic():
            return RoundSeal.objects.create(
                round_id=round.pk, key_file=data, sha256=seal_fingerprint(data), nonce=nonce, backfilled=backfilled,
                # A backfilled seal is written after the round opened: the window it would keep
                # is not the one the round was sealed with, so it keeps none.
                opens_at=None if backfilled else round.opens_at, closes_at=None if backfilled else round.closes_at,
                created_at=at or timezone.now(),
            )  # fmt: skip
    except IntegrityError as exc:
        raise QuizError(_("Tuần thi này đã có tệp đáp án niêm phong; tệp không bao giờ được lập lại."), code="sealed") from exc


def rounds_without_seal():
    """Rounds approved before seals existed (or sealed by a path that skipped round_approve)."""
    return Round.objects.filter(approved_at__isnull=False, seal__isnull=True).select_related("contest").order_by("pk")


@transaction.atomic
def seal_backfill(*, round: Round) -> RoundSeal:
    """Seal a round approved before seals existed: a key file built now from the sealed pool,
    marked as backfilled (its date is when it was made, after the opening — the page says so)."""
    round = Round.objects.select_for_update().select_related("contest").get(pk=round.pk)
    if not round.is_sealed:
        raise QuizError(_("Tuần thi chưa được duyệt; tệp niêm phong được lập khi duyệt."), code="draft")
    return seal_record(round=round, backfilled=True)


# --- Checking it --------------------------------------------------------------------------------------

_ROUND_LABELS = {
    "kind": gettext_lazy("loại"),
    "number": gettext_lazy("số thứ tự"),
    "questions_per_attempt": gettext_lazy("số câu mỗi bài thi"),
    "time_limit_seconds": gettext_lazy("thời gian làm bài (giây)"),
    "max_attempts": gettext_lazy("số lần thi tối đa"),
    "attempts_per_day": gettext_lazy("số lượt thi tối đa mỗi ngày"),
    "min_start_interval_minutes": gettext_lazy("khoảng cách tối thiểu giữa hai lượt (phút)"),
    "review_policy": gettext_lazy("xem đáp án"),
    "ranking_rule": gettext_lazy("cách xếp hạng"),
    "tiebreaker_enabled": gettext_lazy("câu hỏi phụ dự đoán"),
    "prizes": gettext_lazy("cơ cấu giải"),
    "blueprint": gettext_lazy("cơ cấu đề"),
}


def _show(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def seal_verify(round: Round) -> list[str]:
    """Problems with a round's seal (empty when it holds): no key file for a sealed round; stored
    bytes whose SHA-256 is not the recorded fingerprint; a file not in the canonical form; or a
    key that no longer matches the round and the bank — its parameters, its pool, a question's
    text or options, a right answer. The name is not compared: it is frozen by the seal
    now, and rounds renamed before it was must still verify (quiz.round_fields)."""
    seal = RoundSeal.objects.filter(round_id=round.pk).first()
    if seal is None:
        return [_("Tuần thi đã duyệt nhưng không có tệp đáp án niêm phong.")] if round.is_sealed else []
    problems = []
    if not round.is_sealed:
        problems.append(_("Tuần thi chưa được duyệt nhưng đã có tệp đáp án niêm phong."))
    data = bytes(seal.key_file)
    if seal_fingerprint(data) != seal.sha256:
        problems.append(
            _("Tệp đáp án đang lưu có SHA-256 %(now)s, khác mã niêm phong đã công bố %(sealed)s.")
            % {"now": seal_fingerprint(data), "sealed": seal.sha256}
        )
    try:
        key = seal_parse(data)
    except SealFormatError as exc:
        return [*problems, str(exc)]
    if key["nonce"] != seal.nonce:
        problems.append(_("Chuỗi ngẫu nhiên trong tệp khác với chuỗi đã lưu."))
    pace = PACE_KEYS[0] in key["round"]
    if not pace and (round.attempts_per_day, round.min_start_interval_minutes) != (None, None):
        problems.append(
            _("Tệp niêm phong lập khi chưa có giới hạn lượt thi mỗi ngày và khoảng cách giữa hai lượt; tuần thi nay lại có.")
        )
    version = seal_version(key)
    current = seal_content(round, nonce=key["nonce"], pace=pace, version=version)
    if version < 2:
        # Sealed before images existed: a question of the pool has none (and may never get one).
        pictured = sorted(
            Question.objects.filter(round_entries__round=round).exclude(image_sha256="").values_list("code", flat=True)
        )
        for code in pictured:
            problems.append(_("Câu %(code)s có hình ảnh, nhưng tệp niêm phong lập khi chưa có hình ảnh.") % {"code": code})
    if seal_encode(current) == data:
        return problems
    current = _normalize(current)
    if current["contest"] != key["contest"]:
        problems.append(
            _("Tuần thi thuộc cuộc thi «%(now)s», tệp niêm phong ghi «%(sealed)s».")
            % {"now": current["contest"], "sealed": key["contest"]}
        )
    for name, label in _ROUND_LABELS.items():
        if name in key["round"] and current["round"][name] != key["round"][name]:
            problems.append(
                _("Tham số «%(label)s» của tuần thi hiện là %(now)s, tệp niêm phong ghi %(sealed)s.")
                % {"label": label, "now": _show(current["round"][name]), "sealed": _show(key["round"][name])}
            )
    problems += _question_problems(sealed=key["questions"], now=current["questions"])
    return problems


def _question_problems(*, sealed: list[dict], now: list[dict]) -> list[str]:
    problems = []
    sealed_by_code = {q["code"]: q for q in sealed}
    now_by_code = {q["code"]: q for q in now}
    for code in sorted(sealed_by_code.keys() - now_by_code.keys()):
        problems.append(_("Câu %(code)s có trong tệp niêm phong nhưng không còn trong bộ câu hỏi của tuần.") % {"code": code})
    for code in sorted(now_by_code.keys() - sealed_by_code.keys()):
        problems.append(_("Câu %(code)s nằm trong bộ câu hỏi của tuần nhưng không có trong tệp niêm phong.") % {"code": code})
    for code in sorted(sealed_by_code.keys() & now_by_code.keys()):
        was, is_ = sealed_by_code[code], now_by_code[code]
        if was["answer"] != is_["answer"]:
            problems.append(
                _("Câu %(code)s: đáp án đúng hiện là %(now)s, tệp niêm phong ghi %(sealed)s.")
                % {"code": code, "now": is_["answer"] or "–", "sealed": was["answer"] or "–"}
            )
        if was["text"] != is_["text"] or was["field"] != is_["field"]:
            problems.append(_("Câu %(code)s: nội dung hoặc lĩnh vực khác với tệp niêm phong.") % {"code": code})
        if was["options"] != is_["options"]:
            problems.append(_("Câu %(code)s: các phương án khác với tệp niêm phong.") % {"code": code})
        if was.get("image") != is_.get("image"):
            problems.append(_("Câu %(code)s: hình ảnh khác với tệp niêm phong.") % {"code": code})
    return problems


# --- What the public page and the download may show ---------------------------------------------------


@dataclass(frozen=True)
class WindowChangeShown:
    """A change of the sealed window as the public page shows it (no one's name: the decision
    log keeps who)."""

    early: bool
    old_closes_at: datetime.datetime
    new_closes_at: datetime.datetime
    decided_at: datetime.datetime
    reason: str


@dataclass(frozen=True)
class SealInfo:
    """The part of a seal a page may show: never the key file itself."""

    round_id: int
    sha256: str
    published: bool  # the key file is public (results published)
    downloadable: bool  # this user may download it now
    organizer: bool  # this user may also have the Excel copy
    backfilled_on: datetime.date | None
    # Every later close and early close since the seal, with its reason, oldest first.
    window_changes: tuple[WindowChangeShown, ...] = ()
    # Every erratum of the key since the seal (quiz.errata.ErratumShown), oldest first.
    errata: tuple = ()

    @property
    def groups(self) -> list[str]:
        return fingerprint_groups(self.sha256)


def fingerprint_groups(sha256: str) -> list[str]:
    """The fingerprint in four groups of 16, so it wraps cleanly on a phone (the page joins
    them with <wbr>: copying the text still gives the 64 digits in one piece); the first group is
    the short form a person compares at a glance (the round-opening message leads with it)."""
    return [sha256[i : i + 16] for i in range(0, len(sha256), 16)]


def is_seal_public(round: Round) -> bool:
    """The key file is published with the results; before that only the organizers may see it."""
    return round.results_published_at is not None


def seal_info_for_page(*, round: Round, user=None, now=None) -> SealInfo | None:
    """The fingerprint block of a round's public page: nothing before the round opens (one
    query after, for the 64 characters; the key file is not read), every change of the
    sealed window with its reason (a second query, only when there is one), and every erratum
    of the key (another, only when there is one)."""
    now = now or timezone.now()
    if not round.is_sealed or now < round.opens_at:
        return None
    from .errata import errata_count_subquery, errata_shown  # quiz.errata builds on this module

    changes = RoundWindowChange.objects.filter(round_id=OuterRef("round_id")).order_by().values("round_id")
    row = (
        RoundSeal.objects.filter(round_id=round.pk)
        .annotate(changes=Subquery(changes.annotate(n=Count("pk")).values("n")[:1]), errata=errata_count_subquery())
        .values("sha256", "backfilled", "created_at", "changes", "errata")
        .first()
    )
    if row is None:
        return None
    window_changes = ()
    if row["changes"]:  # one more query, only for a round whose window moved
        window_changes = tuple(
            WindowChangeShown(
                early=change.early,
                old_closes_at=change.old_closes_at,
                new_closes_at=change.new_closes_at,
                decided_at=change.changed_at,
                reason=change.reason,
            )  # fmt: skip
            for change in RoundWindowChange.objects.filter(round_id=round.pk).order_by("changed_at", "pk")
        )
    # One more query, only for a round whose key was corrected after the seal.
    errata = errata_shown(round=round, public=is_seal_public(round)) if row["errata"] else ()
    return SealInfo(
        round_id=round.pk,
        sha256=row["sha256"],
        published=is_seal_public(round),
        downloadable=rules.can_download_seal(user, round),
        organizer=user is not None and user.has_perm("quiz.download_answer_key"),
        backfilled_on=timezone.localdate(row["created_at"]) if row["backfilled"] else None,
        window_changes=window_changes,
        errata=errata,
    )


def seal_filename(round: Round, contest_slug: str) -> str:
    """dap-an-<contest>-tuan-<n>.json (the practice set: …-thi-thu-<n>.json). Slugs are ASCII."""
    part = "thi-thu" if round.kind == RoundKind.PRACTICE else "tuan"
    return f"dap-an-{contest_slug}-{part}-{round.number}.json"
