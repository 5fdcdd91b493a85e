"""Errata of a sealed key (đính chính), the rule's one home beside the seal (quiz.seal): the
erratum's key file, its canonical form, the chain from the seal, and the key a round is scored
by now. Written by `quiz.services.errata.round_erratum`; read by the round's page, the downloads,
the results bundle, `verify_results` and (rewritten without Django) `tools/verify_round.py`.

A question found wrong after the seal (two right answers, a typo that changes the meaning) is
never edited in the bank: the sealed question stays as it was sealed. The organizers decide an
erratum instead, with a reason: the question is annulled (every attempt that drew it counts it
right) or re-keyed (one or more letters accepted). Each erratum writes a new key file, format
`dinh-chinh/1`, holding the whole key after the change and the fingerprint of the key file it
replaces (the seal's for the first, then the last erratum's): a chain anyone can follow from the
«Mã niêm phong» shown since the opening (docs/seal.md «Đính chính»).
"""

import datetime
import json
import secrets
from dataclasses import dataclass

from django.db.models import Count, OuterRef, Subquery
from django.utils.translation import gettext as _

from .enums import ErratumAction, RoundKind
from .models import Round, RoundErratum, RoundSeal
from .scoring import ANNULLED
from .seal import NONCE_BYTES, SealFormatError, seal_encode, seal_fingerprint, seal_parse

FORMAT = "dinh-chinh/1"
KEYS = frozenset(
    {"format", "contest", "round", "seq", "previous", "question", "action", "was", "answer", "reason", "decided_at",
     "answers", "nonce"}
)  # fmt: skip


class ErratumFormatError(ValueError):
    """The bytes are not an erratum key file in the canonical format."""


def time_text(value) -> str:
    """UTC with microseconds, one width (as the receipts write times)."""
    return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def erratum_content(
    *, round: Round, contest: str, seq: int, previous: str, question: str, action: str, was: str, answer: str,
    reason: str, decided_at, answers: dict[str, str], nonce: str,
) -> dict:  # fmt: skip
    """What an erratum's key file says: the change (which question, what it was, what it is,
    why, when), the fingerprint it follows, and the whole key after it (code → letters, or "*"
    for an annulled question). A fresh nonce, as the seal's: the file is published with the
    results, its fingerprint from the decision on."""
    return {
        "format": FORMAT,
        "contest": contest,
        "round": {"kind": round.kind, "number": round.number},
        "seq": seq,
        "previous": previous,
        "question": question,
        "action": action,
        "was": was,
        "answer": answer,
        "reason": reason,
        "decided_at": time_text(decided_at),
        "answers": dict(sorted(answers.items())),
        "nonce": nonce,
    }


def new_nonce() -> str:
    return secrets.token_hex(NONCE_BYTES)


def erratum_parse(data: bytes) -> dict:
    """Read an erratum key file, refusing anything not exactly in the canonical form."""
    try:
        content = json.loads(bytes(data).decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ErratumFormatError(_("Tệp đính chính không phải JSON UTF-8 hợp lệ.")) from exc
    if not isinstance(content, dict) or content.get("format") != FORMAT or set(content) != KEYS:
        raise ErratumFormatError(_("Tệp không phải tệp đính chính đáp án (định dạng %(f)s).") % {"f": FORMAT})
    if not isinstance(content["answers"], dict) or not all(isinstance(v, str) for v in content["answers"].values()):
        raise ErratumFormatError(_("Tệp đính chính không có đáp án của từng câu."))
    if seal_encode(content) != bytes(data):
        raise ErratumFormatError(_("Tệp đính chính không ở dạng chuẩn (thứ tự, khoảng trắng hoặc chuẩn Unicode)."))
    return content


def erratum_applied(answers: dict[str, str], *, question: str, answer: str) -> dict[str, str]:
    """The key after one change."""
    return {**answers, question: answer}


def chain_follow(*, seal_sha256: str, seal_answers: dict[str, str], files: list[bytes]) -> tuple[dict[str, str], str, list[str]]:
    """Follow the chain from the seal through the errata key files, in order: each file canonical,
    numbered 1, 2, …, naming as `previous` the fingerprint of the key before it, with `was` the
    question's key before it and `answers` the key before it with only that change. Returns the
    key at the end of the chain (as far as it holds), the last fingerprint, and the problems."""
    answers, current, problems = dict(seal_answers), seal_sha256, []
    for seq, data in enumerate(files, start=1):
        fingerprint = seal_fingerprint(data)
        try:
            content = erratum_parse(data)
        except ErratumFormatError as exc:
            problems.append(_("Đính chính số %(n)d: %(problem)s") % {"n": seq, "problem": exc})
            return answers, current, problems
        where = _("Đính chính số %(n)d") % {"n": seq}
        if content["seq"] != seq:
            problems.append(_("%(where)s: tệp ghi số thứ tự %(s)s.") % {"where": where, "s": content["seq"]})
        if content["previous"] != current:
            problems.append(
                _("%(where)s: chuỗi đính chính bị đứt — tệp nối tiếp mã %(prev)s, mã của tệp đáp án trước nó là %(now)s.")
                % {"where": where, "prev": content["previous"], "now": current}
            )
        code, answer = content["question"], content["answer"]
        if code not in answers:
            problems.append(_("%(where)s: câu %(code)s không có trong tệp đáp án.") % {"where": where, "code": code})
        elif content["was"] != answers[code]:
            problems.append(
                _("%(where)s: câu %(code)s ghi đáp án trước là %(was)s, tệp đáp án trước ghi %(now)s.")
                % {"where": where, "code": code, "was": content["was"], "now": answers[code]}
            )
        if (content["action"] == ErratumAction.ANNUL) != (answer == ANNULLED) or content["action"] not in ErratumAction.values:
            problems.append(_("%(where)s: việc đính chính và đáp án mới không khớp nhau.") % {"where": where})
        expected = erratum_applied(answers, question=code, answer=answer)
        if content["answers"] != expected:
            changed = sorted(
                c for c in expected.keys() | content["answers"].keys() if expected.get(c) != content["answers"].get(c)
            )
            problems.append(
                _("%(where)s: đáp án của câu %(codes)s khác với tệp đáp án trước mà không được ghi là đính chính.")
                % {"where": where, "codes": ", ".join(changed)}
            )
        answers, current = content["answers"], fingerprint
    return answers, current, problems


def seal_answers(seal_content: dict) -> dict[str, str]:
    return {q["code"]: q["answer"] for q in seal_content["questions"]}


def current_key(*, round: Round) -> tuple[dict[str, str], str]:
    """The key a round is scored by now (code → letters or "*") and the fingerprint of the key file
    that says it: the last erratum's, the seal's without one. Two queries. For the service,
    which has just checked nothing is amiss; verify_results follows and checks the chain."""
    seal = RoundSeal.objects.filter(round_id=round.pk).values_list("key_file", "sha256").first()
    if seal is None:
        raise SealFormatError(_("Tuần thi chưa có tệp đáp án niêm phong."))
    last = RoundErratum.objects.filter(round_id=round.pk).order_by("-seq").values_list("key_file", "sha256").first()
    if last is not None:
        return erratum_parse(bytes(last[0]))["answers"], last[1]
    return seal_answers(seal_parse(bytes(seal[0]))), seal[1]


ERRATUM_KEY_CACHE = "quiz:erratum-key:{}"


def erratum_key_cached(*, round: Round) -> dict[str, str] | None:
    """The key of the round's last erratum (code → letters or ANNULLED), None when it has none:
    what an attempt's review marks as right. Cached (a day, and set again by every erratum:
    `erratum_key_forget`), so a result page reads no more rows than before errata existed."""
    from django.core.cache import cache

    name = ERRATUM_KEY_CACHE.format(round.pk)
    found = cache.get(name)
    if found is None:
        last = RoundErratum.objects.filter(round_id=round.pk).order_by("-seq").values_list("key_file", flat=True).first()
        found = {"answers": erratum_parse(bytes(last))["answers"] if last is not None else None}
        cache.set(name, found, 24 * 3600)
    return found["answers"]


def erratum_key_forget(*, round: Round) -> None:
    from django.core.cache import cache

    cache.delete(ERRATUM_KEY_CACHE.format(round.pk))


def errata_files(*, round: Round) -> list[tuple[int, bytes, str]]:
    """(seq, the stored bytes, the recorded fingerprint) of a round's errata, in order."""
    rows = RoundErratum.objects.filter(round_id=round.pk).order_by("seq").values_list("seq", "key_file", "sha256")
    return [(seq, bytes(data), sha) for seq, data, sha in rows]


def errata_verify(*, round: Round, seal_sha256: str, seal_content: dict) -> tuple[dict[str, str], list[str]]:
    """For verify_results: the key at the end of the round's chain and the problems — stored bytes
    whose SHA-256 is not the recorded fingerprint, a file not canonical, a broken chain, a change
    not recorded, a row that does not say what its file says."""
    rows = list(RoundErratum.objects.filter(round_id=round.pk).select_related("question").order_by("seq"))
    problems = []
    for erratum in rows:
        data = bytes(erratum.key_file)
        if seal_fingerprint(data) != erratum.sha256:
            problems.append(
                _("Đính chính số %(n)d: tệp đang lưu có SHA-256 %(now)s, khác mã đã công bố %(sha)s.")
                % {"n": erratum.seq, "now": seal_fingerprint(data), "sha": erratum.sha256}
            )
        try:
            content = erratum_parse(data)
        except ErratumFormatError:
            continue  # said by chain_follow
        said = (content["question"], content["action"], content["was"], content["answer"], content["previous"])
        stored = (erratum.question.code, erratum.action, erratum.previous_answer, erratum.answer, erratum.previous_sha256)
        if said != stored:
            problems.append(_("Đính chính số %(n)d: bản ghi khác với tệp đính chính.") % {"n": erratum.seq})
    answers, _last, chain = chain_follow(
        seal_sha256=seal_sha256, seal_answers=seal_answers(seal_content), files=[bytes(e.key_file) for e in rows]
    )
    return answers, [*problems, *chain]


# --- What the public page and the download may show ---------------------------------------------------


@dataclass(frozen=True)
class ErratumShown:
    """An erratum as the round's page shows it: no one's name (the decision log keeps who); the
    new answer only once the key files are public (results published)."""

    seq: int
    code: str
    action: str
    answer: str | None
    reason: str
    decided_at: object
    sha256: str
    previous_sha256: str

    @property
    def annulled(self) -> bool:
        return self.action == ErratumAction.ANNUL

    @property
    def groups(self) -> list[str]:
        return [self.sha256[i : i + 16] for i in range(0, len(self.sha256), 16)]

    @property
    def answer_letters(self) -> str:
        return ", ".join(self.answer or "")


def errata_count_subquery():
    """The number of a round's errata, for the seal's one query on the round page."""
    rows = RoundErratum.objects.filter(round_id=OuterRef("round_id")).order_by().values("round_id")
    return Subquery(rows.annotate(n=Count("pk")).values("n")[:1])


def errata_shown(*, round: Round, public: bool) -> tuple[ErratumShown, ...]:
    rows = (
        RoundErratum.objects.filter(round_id=round.pk)
        .order_by("seq")
        .values_list("seq", "question__code", "action", "answer", "reason", "created_at", "sha256", "previous_sha256")
    )
    return tuple(
        ErratumShown(
            seq=seq,
            code=code,
            action=action,
            answer=(answer if public and answer != ANNULLED else None),
            reason=reason,
            decided_at=at,
            sha256=sha,
            previous_sha256=previous,
        )  # fmt: skip
        for seq, code, action, answer, reason, at, sha, previous in rows
    )


def erratum_filename(round: Round, contest_slug: str, seq: int) -> str:
    """dinh-chinh-<contest>-tuan-<n>-<seq>.json, beside the seal's dap-an-<contest>-tuan-<n>.json."""
    part = "thi-thu" if round.kind == RoundKind.PRACTICE else "tuan"
    return f"dinh-chinh-{contest_slug}-{part}-{round.number}-{seq}.json"


def bundle_member(seq: int) -> str:
    """An erratum's key file inside results.zip."""
    return f"dinh-chinh-{seq}.json"
