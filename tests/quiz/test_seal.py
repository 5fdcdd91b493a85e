"""The seal: the key file's canonical form, its fingerprint, and what seal_verify catches."""

import hashlib
import json
import re
import unicodedata
from pathlib import Path

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from quiz.errors import QuizError, SealedError
from quiz.models import BlueprintItem, Option, Round, RoundQuestion, RoundSeal
from quiz.seal import (
    FORMAT,
    SealFormatError,
    rounds_without_seal,
    seal_backfill,
    seal_build,
    seal_content,
    seal_encode,
    seal_fingerprint,
    seal_parse,
    seal_record,
    seal_verify,
)
from quiz.services.pool import round_pool_add
from quiz.services.rounds import round_approve
from tests.budgets import QUERIES
from tests.factories import UserFactory
from tests.insider import seal_triggers_off
from tests.quiz.factories import FieldFactory, QuestionFactory, RoundFactory, sealed_round

pytestmark = pytest.mark.django_db

NONCE = "ab" * 32


def _round_with_pool(codes, *, field_names=("Điều lệ Đảng",), **kwargs) -> Round:
    round = RoundFactory(questions_per_attempt=2, **kwargs)
    fields = [FieldFactory(name=name) for name in field_names]
    questions = [QuestionFactory(code=code, field=fields[i % len(fields)]) for i, code in enumerate(codes)]
    round_pool_add(round=round, question_ids=[q.pk for q in questions])
    return round


# --- The canonical form ------------------------------------------------------------------------------


def test_approval_stores_the_key_file_and_its_fingerprint():
    round = sealed_round(pool_size=20, fields=2)
    seal = RoundSeal.objects.get(round=round)
    data = bytes(seal.key_file)
    assert seal.sha256 == hashlib.sha256(data).hexdigest()
    assert len(seal.nonce) == 64
    assert seal.backfilled is False
    key = seal_parse(data)
    assert key["nonce"] == seal.nonce
    assert len(key["questions"]) == 20
    assert {q["answer"] for q in key["questions"]} == {"A"}  # the factory's right option
    assert key["round"]["questions_per_attempt"] == 20


def test_seal_build_is_deterministic_except_the_nonce():
    round = sealed_round(pool_size=12, fields=3, questions_per_attempt=10)
    seal = RoundSeal.objects.get(round=round)
    assert seal_build(round, nonce=NONCE) == seal_build(round, nonce=NONCE)
    assert seal_build(round, nonce=seal.nonce) == bytes(seal.key_file)
    fresh = seal_build(round)
    assert fresh != bytes(seal.key_file)
    assert seal_parse(fresh) | {"nonce": NONCE} == seal_parse(seal_build(round, nonce=NONCE))


def test_key_file_is_sorted_canonical_json_with_one_trailing_newline():
    round = _round_with_pool(["Q-30", "Q-10", "Q-20"], field_names=("Nghị quyết", "Điều lệ Đảng"))
    BlueprintItem.objects.create(round=round, field=FieldFactory(name="Nghị quyết"), count=1)
    BlueprintItem.objects.create(round=round, field=FieldFactory(name="Điều lệ Đảng"), count=1)
    data = seal_build(round, nonce=NONCE)

    text = data.decode("utf-8")
    assert text.endswith("}\n") and text.count("\n") == 1
    content = json.loads(text)
    assert data == (json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n").encode()
    assert [q["code"] for q in content["questions"]] == ["Q-10", "Q-20", "Q-30"]
    assert [o["letter"] for o in content["questions"][0]["options"]] == ["A", "B", "C", "D"]
    assert [b["field"] for b in content["round"]["blueprint"]] == ["Nghị quyết", "Điều lệ Đảng"]
    assert content["format"] == FORMAT
    assert content["contest"] == round.contest.slug
    assert "Điều lệ Đảng" in text  # UTF-8, not \u escapes


def test_key_file_text_is_nfc_whatever_the_keyboard_typed():
    decomposed = unicodedata.normalize("NFD", "Đảng viên phải làm gì?\r\nChọn một.")
    round = RoundFactory(questions_per_attempt=1)
    question = QuestionFactory(code="NFD-1", text=decomposed)
    round_pool_add(round=round, question_ids=[question.pk])
    round = round_approve(round=round, by=UserFactory())

    text = seal_parse(bytes(RoundSeal.objects.get(round=round).key_file))["questions"][0]["text"]
    assert text == "Đảng viên phải làm gì?\nChọn một."
    assert unicodedata.is_normalized("NFC", text)
    assert seal_verify(round) == []


def test_fingerprint_is_sha256_hex_and_does_not_change_after_the_round_runs():
    assert seal_fingerprint(b"abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    round = sealed_round(pool_size=20, fields=2)
    before = RoundSeal.objects.get(round=round).sha256
    Round.objects.filter(pk=round.pk).update(results_published_at=timezone.now())
    Round.objects.filter(pk=round.pk).update(name="Tuần thi thứ nhất (đã đổi tên)")
    assert RoundSeal.objects.get(round=round).sha256 == before
    assert seal_verify(Round.objects.get(pk=round.pk)) == []


def test_seal_content_query_count_does_not_depend_on_pool_size(django_assert_num_queries):
    small, large = sealed_round(pool_size=20, fields=2), sealed_round(pool_size=60, fields=4)
    for round in (small, large):
        round = Round.objects.select_related("contest").get(pk=round.pk)
        with django_assert_num_queries(QUERIES["seal_content"]):
            seal_content(round, nonce=NONCE)


json_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)


@st.composite
def key_contents(draw):
    question = st.fixed_dictionaries(
        {
            "code": json_text,
            "field": json_text,
            "text": json_text,
            "options": st.lists(st.fixed_dictionaries({"letter": st.sampled_from("ABCDEF"), "text": json_text}), max_size=6),
            "answer": st.sampled_from("ABCDEF"),
            "image": st.none() | st.text("0123456789abcdef", min_size=64, max_size=64),
        }
    )
    number = st.integers(min_value=0, max_value=10**6)
    round_part = st.fixed_dictionaries(
        {
            "kind": json_text,
            "number": number,
            "name": json_text,
            "questions_per_attempt": number,
            "time_limit_seconds": number,
            "max_attempts": st.none() | number,
            "review_policy": json_text,
            "ranking_rule": json_text,
            "tiebreaker_enabled": st.booleans(),
            "prizes": st.dictionaries(json_text, number, max_size=4),
            "blueprint": st.lists(st.fixed_dictionaries({"field": json_text, "count": number}), max_size=4),
        }
    )
    return {
        "format": FORMAT,
        "contest": draw(json_text),
        "round": draw(round_part),
        "questions": draw(st.lists(question, max_size=5)),
        "nonce": draw(st.text("0123456789abcdef", min_size=64, max_size=64)),
    }


@settings(max_examples=150, deadline=None)
@given(content=key_contents())
def test_encoding_is_canonical_for_any_content(content):
    data = seal_encode(content)
    assert data.endswith(b"\n") and data.count(b"\n") == 1  # newlines inside text are escaped
    assert seal_encode(content) == data
    parsed = seal_parse(data)  # accepts its own output: the form is a fixed point
    assert seal_encode(parsed) == data
    strings = []

    def walk(value):
        if isinstance(value, str):
            strings.append(value)
        elif isinstance(value, dict):
            for k, v in value.items():
                walk(k)
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(parsed)
    assert all(unicodedata.is_normalized("NFC", s) and "\r" not in s for s in strings)


@settings(max_examples=50, deadline=None)
@given(text=st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=30))
def test_nfc_and_nfd_spellings_encode_to_the_same_bytes(text):
    base = {"format": FORMAT, "contest": "c", "round": {}, "questions": [], "nonce": NONCE}
    assert seal_encode(base | {"contest": unicodedata.normalize("NFD", text)}) == seal_encode(
        base | {"contest": unicodedata.normalize("NFC", text)}
    )


@pytest.mark.parametrize(
    "mutate",
    [
        lambda data: data.replace(b"\n", b""),  # no trailing newline
        lambda data: data + b"\n",  # two
        lambda data: json.dumps(json.loads(data), ensure_ascii=False, indent=2).encode() + b"\n",  # pretty-printed
        lambda data: json.dumps(json.loads(data), sort_keys=True, separators=(",", ":")).encode() + b"\n",  # \u escapes
        lambda data: unicodedata.normalize("NFD", data.decode()).encode(),
        lambda data: data.replace(b'"format":"niem-phong/2"', b'"format":"other"'),
        lambda data: data.replace(b'"format":"niem-phong/2"', b'"format":"niem-phong/1"'),  # v1 has no images
        lambda data: data.replace(b'"nonce":', b'"nonc":'),
        lambda data: b"\xff" + data,
        lambda data: b"[]\n",
    ],
)
def test_seal_parse_refuses_anything_not_canonical(mutate):
    round = _round_with_pool(["Đ-1", "Đ-2"])
    data = seal_build(round, nonce=NONCE)
    seal_parse(data)
    with pytest.raises(SealFormatError):
        seal_parse(mutate(data))


# --- Written once --------------------------------------------------------------------------------------


def test_a_seal_is_never_regenerated():
    round = sealed_round(pool_size=20, fields=2)
    seal = RoundSeal.objects.get(round=round)
    with pytest.raises(QuizError):
        round_approve(round=round, by=UserFactory())
    with pytest.raises(QuizError):
        seal_record(round=round)
    with pytest.raises(QuizError):
        seal_backfill(round=round)
    assert RoundSeal.objects.filter(round=round).count() == 1
    assert RoundSeal.objects.get(round=round).sha256 == seal.sha256


def test_the_stored_seal_cannot_be_changed_or_deleted():
    round = sealed_round(pool_size=20, fields=2)
    seal = RoundSeal.objects.get(round=round)
    seal.sha256 = "0" * 64
    with pytest.raises(SealedError):
        seal.save()
    with pytest.raises(SealedError), transaction.atomic():
        seal.delete()
    with pytest.raises(ProtectedError):
        Round.objects.get(pk=round.pk).delete()
    # QuerySet.update skips signals; the database trigger still refuses.
    with pytest.raises(IntegrityError), transaction.atomic():
        RoundSeal.objects.filter(pk=seal.pk).update(key_file=b"{}\n")
    assert bytes(RoundSeal.objects.get(pk=seal.pk).key_file) != b"{}\n"


def test_the_database_refuses_a_malformed_fingerprint():
    round = RoundFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        RoundSeal.objects.create(round=round, key_file=b"x", sha256="abc", nonce=NONCE)


# --- seal_verify ---------------------------------------------------------------------------------------


def test_verify_is_clean_for_a_fresh_seal():
    assert seal_verify(sealed_round(pool_size=20, fields=2)) == []


def test_verify_catches_a_right_answer_changed_in_the_bank():
    round = sealed_round(pool_size=20, fields=2)
    question = round.pool.order_by("question__code").first().question
    # Straight to the database, past the signals that refuse it (say, a hand-written UPDATE).
    Option.objects.filter(question=question).update(is_correct=False)
    Option.objects.filter(question=question, letter="C").update(is_correct=True)

    assert seal_verify(round) == [f"Câu {question.code}: đáp án đúng hiện là C, tệp niêm phong ghi A."]


def test_verify_catches_changed_option_text_and_a_swapped_pool_question():
    round = sealed_round(pool_size=20, fields=2)
    first, second = [rq.question for rq in round.pool.order_by("question__code")[:2]]
    Option.objects.filter(question=first, letter="B").update(text="Phương án khác")
    outsider = QuestionFactory(code="ZZ-NEW")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE quiz_roundquestion SET question_id = %s WHERE question_id = %s", [outsider.pk, second.pk])

    assert seal_verify(round) == [
        f"Câu {second.code} có trong tệp niêm phong nhưng không còn trong bộ câu hỏi của tuần.",
        "Câu ZZ-NEW nằm trong bộ câu hỏi của tuần nhưng không có trong tệp niêm phong.",
        f"Câu {first.code}: các phương án khác với tệp niêm phong.",
    ]


def test_verify_catches_a_fairness_parameter_changed_after_sealing():
    round = sealed_round(pool_size=20, fields=2)
    Round.objects.filter(pk=round.pk).update(time_limit_seconds=1800, prizes_first=3, name="Tên mới")

    problems = seal_verify(Round.objects.get(pk=round.pk))

    assert len(problems) == 2
    assert "«thời gian làm bài (giây)»" in problems[0] and "1800" in problems[0] and "900" in problems[0]
    assert "«cơ cấu giải»" in problems[1]


def test_verify_catches_tampered_stored_bytes():
    round = sealed_round(pool_size=20, fields=2)
    seal = RoundSeal.objects.get(round=round)
    data = bytes(seal.key_file)
    tampered = data.replace(b'"answer":"A"', b'"answer":"B"', 1)
    with seal_triggers_off():
        RoundSeal.objects.filter(pk=seal.pk).update(key_file=tampered)

    problems = seal_verify(round)

    assert problems[0] == (
        f"Tệp đáp án đang lưu có SHA-256 {hashlib.sha256(tampered).hexdigest()}, khác mã niêm phong đã công bố {seal.sha256}."
    )
    assert len(problems) == 2 and "đáp án đúng hiện là A, tệp niêm phong ghi B" in problems[1]


def test_verify_catches_a_rewritten_key_file_even_with_a_matching_fingerprint():
    """Someone who rewrites both the file and its recorded fingerprint still has to match the
    sealed bank; and the fingerprint shown since the opening no longer matches."""
    round = sealed_round(pool_size=20, fields=2)
    seal = RoundSeal.objects.get(round=round)
    key = seal_parse(bytes(seal.key_file))
    key["questions"][0]["answer"] = "D"
    forged = seal_encode(key)
    with seal_triggers_off():
        RoundSeal.objects.filter(pk=seal.pk).update(key_file=forged, sha256=seal_fingerprint(forged))

    assert seal_verify(round) == [f"Câu {key['questions'][0]['code']}: đáp án đúng hiện là A, tệp niêm phong ghi D."]


def test_verify_reports_a_key_file_that_is_not_canonical():
    round = sealed_round(pool_size=20, fields=2)
    seal = RoundSeal.objects.get(round=round)
    pretty = json.dumps(json.loads(bytes(seal.key_file)), indent=1).encode()
    with seal_triggers_off():
        RoundSeal.objects.filter(pk=seal.pk).update(key_file=pretty, sha256=seal_fingerprint(pretty))

    assert seal_verify(round) == ["Tệp đáp án niêm phong không ở dạng chuẩn (thứ tự, khoảng trắng hoặc chuẩn Unicode)."]


def test_verify_reports_a_sealed_round_without_a_key_file_and_backfill_mends_it():
    round = _round_with_pool(["B-1", "B-2"])
    Round.objects.filter(pk=round.pk).update(approved_at=timezone.now())  # sealed the old way
    round.refresh_from_db()
    draft = _round_with_pool(["B-3"])
    assert seal_verify(round) == ["Tuần thi đã duyệt nhưng không có tệp đáp án niêm phong."]
    assert seal_verify(draft) == []
    assert list(rounds_without_seal()) == [round]

    seal = seal_backfill(round=round)

    assert seal.backfilled is True
    assert seal_verify(round) == []
    assert list(rounds_without_seal()) == []
    with pytest.raises(QuizError):
        seal_backfill(round=draft)


def test_approval_and_seal_are_one_transaction():
    """If writing the seal fails, the round is not approved either."""
    round = _round_with_pool(["T-1", "T-2"])
    RoundSeal.objects.create(round=round, key_file=b"x", sha256="1" * 64, nonce=NONCE)  # in the way
    with pytest.raises(QuizError):
        round_approve(round=round, by=UserFactory())
    assert Round.objects.get(pk=round.pk).approved_at is None
    assert RoundQuestion.objects.filter(round=round).count() == 2


def test_the_worked_example_in_the_docs_holds():
    doc = (Path(__file__).resolve().parents[2] / "docs" / "seal.md").read_text(encoding="utf-8")
    example = next(line for line in doc.splitlines() if line.startswith('{"contest":'))
    digest = re.search(r"^([0-9a-f]{64})  dap-an-", doc, re.MULTILINE).group(1)
    data = (example + "\n").encode("utf-8")

    assert seal_fingerprint(data) == digest
    assert seal_parse(data)["questions"][0]["answer"] == "B"
    assert f"({len(data)} bytes" in doc
