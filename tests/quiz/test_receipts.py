"""Receipts, the results commitment, the bundle, the inclusion proof and tools/verify_round.py:
an answer changed after the finish — in the bundle, or in the database after the close — is
caught, by verify_results and by the standalone script run as a journalist would run it."""

import datetime
import hashlib
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from audit.verification import verify_results
from contests.enums import PrizeStatus
from contests.models import Decision
from quiz import pool_cache, receipts
from quiz.demo import demo_window_rewrite
from quiz.enums import AttemptStatus, RankingRule
from quiz.errors import QuizError, SealedError
from quiz.models import Attempt, AttemptQuestion, Round, RoundCommitment, RoundEntry
from quiz.services.attempts import attempt_save_answers, attempt_start, attempt_submit, finalize_expired_attempts
from quiz.services.prizes import prize_verify, round_prizes_draft, round_prizes_redraft, round_publish_results
from tests.budgets import QUERIES
from tests.factories import ContestFactory, contestant, staff_user
from tests.quiz.factories import answer_all, sealed_round

pytestmark = pytest.mark.django_db

SCRIPT = Path(settings.BASE_DIR) / "tools" / "verify_round.py"


def _take(round, user, right, prediction=None):
    attempt = attempt_start(round=round, user=user)
    return attempt_submit(attempt=attempt, user=user, answers=answer_all(attempt, right=right), prediction=prediction)


def _close(round):
    """Closed a minute ago, as if sealed with that window (so verify_results' seal history holds)."""
    demo_window_rewrite(round=round, opens_at=round.opens_at, closes_at=timezone.now() - datetime.timedelta(minutes=1))
    return Round.objects.get(pk=round.pk)


def _publish(round):
    secretary = staff_user(Role.SECRETARIAT)
    for prize in round_prizes_draft(round=round):
        prize_verify(prize=prize, by=secretary, valid=True, note="Đã xác minh với đơn vị")
    return round_publish_results(round=round, by=staff_user(Role.ORGANIZER))


@pytest.fixture
def published():
    """A published week: five contestants (one with two attempts), prizes 1-1-1-1."""
    contest = ContestFactory()
    round = sealed_round(contest=contest, prizes_first=1, prizes_second=1, prizes_third=1, prizes_consolation=1)
    people = [contestant() for _ in range(5)]
    for user, rights in zip(people, [(15, 19), (18,), (17,), (12,), (20,)], strict=True):
        for right in rights:
            _take(round, user, right)
    return _publish(_close(round)), people


def _files(client, round, tmp_path):
    bundle = client.get(reverse("quiz:results_bundle", args=[round.pk]))
    assert bundle.status_code == 200
    seal = client.get(reverse("quiz:seal", args=[round.pk]))
    (tmp_path / "results.zip").write_bytes(bundle.content)
    (tmp_path / "seal.json").write_bytes(b"".join(seal.streaming_content) if seal.streaming else seal.content)
    return tmp_path / "results.zip", tmp_path / "seal.json"


def _run(*args):
    # The script as a journalist runs it: its own process, no Django, no project on the path.
    return subprocess.run([sys.executable, "-I", str(SCRIPT), *map(str, args)], capture_output=True, text=True, timeout=60)


def _rewrite_bundle(path, change):
    with zipfile.ZipFile(path) as archive:
        content = json.loads(archive.read(receipts.BUNDLE_MEMBER))
    change(content)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(receipts.BUNDLE_MEMBER, json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":")))
    path.write_bytes(buffer.getvalue())


def _wrong_letter(letter):
    return "B" if letter != "B" else "C"


# --- The receipt ---------------------------------------------------------------------------------------


def test_receipt_written_when_submitted_and_recomputes_from_stored_answers():
    round = sealed_round()
    attempt = _take(round, contestant(), 12)
    stored = Attempt.objects.get(pk=attempt.pk)
    assert len(stored.receipt) == 64 and len(stored.receipt_nonce) == 64 and len(stored.public_id) == 16
    assert receipts.stored_attempts(round=round)[attempt.pk].recomputed == stored.receipt


def test_receipt_written_when_the_system_closes_the_attempt_at_its_deadline():
    round = sealed_round()
    user = contestant()
    attempt = attempt_start(round=round, user=user)
    attempt_save_answers(attempt_id=attempt.pk, user_id=user.pk, answers={1: 0, 2: 1})
    with time_machine.travel(attempt.deadline + datetime.timedelta(minutes=1)):
        finalize_expired_attempts()
    stored = Attempt.objects.get(pk=attempt.pk)
    assert stored.status == AttemptStatus.EXPIRED
    assert stored.receipt == receipts.stored_attempts(round=round)[attempt.pk].recomputed


def test_receipt_names_the_answers_by_question_code_and_letter():
    round = sealed_round()
    attempt = _take(round, contestant(), 20)
    content = receipts.stored_attempts(round=round)[attempt.pk].content
    assert len(content["answers"]) == 20
    assert {a["choice"] for a in content["answers"]} == {"A"}  # the factory's right option is A
    assert [a["code"] for a in content["answers"]] == sorted(a["code"] for a in content["answers"])


def test_same_contestant_same_pseudonym_in_a_round_another_in_another_round():
    user = contestant()
    one, two = sealed_round(), sealed_round()
    a, b, c = _take(one, user, 3), _take(one, user, 4), _take(two, user, 5)
    codes = dict(Attempt.objects.filter(pk__in=[a.pk, b.pk, c.pk]).values_list("pk", "entrant_code"))
    assert codes[a.pk] == codes[b.pk] != codes[c.pk]
    assert str(user.pk) not in codes[a.pk][:2]


def test_receipt_stamp_costs_no_query_with_the_pool_in_memory(django_assert_num_queries):
    round = sealed_round()
    attempt = attempt_start(round=round, user=contestant())
    pool_cache.sealed_pool(round=round)
    rows = [(i.question_id, i.option_ids, 0, timezone.now()) for i in AttemptQuestion.objects.filter(attempt=attempt)]
    attempt.finished_at, attempt.duration_ms = timezone.now(), 1000
    with django_assert_num_queries(0):
        receipts.receipt_stamp(attempt, rows=rows)
    assert len(attempt.receipt) == 64


# --- The Merkle tree ---------------------------------------------------------------------------------


def test_merkle_root_of_two_receipts_is_the_documented_construction():
    r1, r2 = bytes.fromhex("11" * 32), bytes.fromhex("22" * 32)
    leaf = [hashlib.sha256(b"\x00" + r).digest() for r in (r1, r2)]
    expected = hashlib.sha256(b"\x01" + leaf[0] + leaf[1]).hexdigest()
    assert receipts.merkle_root([r2.hex(), r1.hex()]) == expected  # sorted first
    assert receipts.merkle_root([]) == hashlib.sha256(b"").hexdigest()
    assert receipts.merkle_root([r1.hex()]) == leaf[0].hex()


@pytest.mark.parametrize("size", [1, 2, 3, 5, 7, 8, 9])
def test_every_leaf_has_a_path_to_the_root_and_a_changed_sibling_breaks_it(size):
    leaves = sorted(hashlib.sha256(bytes([i])).digest() for i in range(size))
    levels = receipts.merkle_levels(leaves)
    root = levels[-1][0].hex()
    for index, leaf in enumerate(leaves):
        path = receipts.merkle_path(levels, index)
        assert receipts.proof_check(receipt=leaf.hex(), path=path, root=root)
        if path:
            path[0] = {**path[0], "hash": "00" * 32}
            assert not receipts.proof_check(receipt=leaf.hex(), path=path, root=root)


# --- The commitment ----------------------------------------------------------------------------------


def test_the_beat_commits_a_closed_round_once_and_logs_it():
    round = sealed_round()
    _take(round, contestant(), 10)
    _take(round, contestant(), 11)
    attempt_start(round=round, user=contestant())  # still open when the round closes
    with time_machine.travel(round.closes_at + datetime.timedelta(minutes=5)):
        finalize_expired_attempts()
        finalize_expired_attempts()
    commitment = RoundCommitment.objects.get(round=round)
    stored = list(Attempt.objects.filter(round=round).values_list("receipt", flat=True))
    assert commitment.leaf_count == 3
    assert commitment.root == receipts.merkle_root(stored)
    decisions = Decision.objects.filter(action=Decision.Action.COMMIT_RESULTS, object_id=round.pk)
    assert [d.data["root"] for d in decisions] == [commitment.root]


def test_an_open_round_is_not_committed():
    round = sealed_round()
    _take(round, contestant(), 10)
    finalize_expired_attempts()
    assert not RoundCommitment.objects.filter(round=round).exists()


def test_prize_draft_commits_before_drafting():
    round = sealed_round()
    _take(round, contestant(), 10)
    round_prizes_draft(round=_close(round))
    assert RoundCommitment.objects.filter(round=round).count() == 1


def test_commitment_refuses_change_through_the_orm():
    round = sealed_round()
    _take(round, contestant(), 10)
    commitment = receipts.round_commit(round=_close(round))
    commitment.root = "0" * 64
    with pytest.raises(SealedError), transaction.atomic():
        commitment.save()
    with pytest.raises(SealedError), transaction.atomic():
        commitment.delete()
    assert receipts.round_commit(round=round).pk == commitment.pk  # once: the stored one comes back


def test_commitment_refuses_update_in_sql():
    round = sealed_round()
    commitment = receipts.round_commit(round=_close(round))
    with pytest.raises(DatabaseError), transaction.atomic():
        RoundCommitment.objects.filter(pk=commitment.pk).update(root="0" * 64)
    assert RoundCommitment.objects.get(pk=commitment.pk).root == receipts.EMPTY_ROOT


@pytest.mark.postgres
def test_commitment_refuses_delete_in_sql():
    round = sealed_round()
    commitment = receipts.round_commit(round=_close(round))
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM quiz_roundcommitment WHERE id = %s", [commitment.pk])
    assert RoundCommitment.objects.filter(pk=commitment.pk).exists()


def test_receipts_are_never_made_again_once_committed():
    round = sealed_round()
    _take(round, contestant(), 10)
    receipts.round_commit(round=_close(round))
    with pytest.raises(QuizError):
        receipts.receipts_fill(round=round, rebuild=True)


# --- Pages ---------------------------------------------------------------------------------------------


def test_result_page_and_my_results_show_the_receipt(client):
    round = sealed_round()
    user = contestant()
    attempt = _take(round, user, 10)
    receipt = Attempt.objects.get(pk=attempt.pk).receipt
    client.force_login(user)
    result = client.get(reverse("quiz:result", args=[attempt.pk])).content.decode()
    mine = client.get(reverse("quiz:my_results")).content.decode()
    assert f'data-receipt="{receipt}"' in result
    assert receipt in mine
    assert reverse("quiz:receipt_check", args=[round.pk]) in result


def test_round_page_shows_the_commitment_from_the_close_only(client):
    round = sealed_round()
    _take(round, contestant(), 10)
    page = client.get(reverse("quiz:round", args=[round.pk])).content.decode()
    assert "data-commitment" not in page
    commitment = receipts.round_commit(round=_close(round))
    page = client.get(reverse("quiz:round", args=[round.pk])).content.decode()
    assert f'data-commitment="{commitment.root}"' in page
    assert reverse("quiz:results_bundle", args=[round.pk]) not in page  # not before the results


def test_results_bundle_is_404_before_publication(client):
    round = sealed_round()
    _take(round, contestant(), 10)
    round = _close(round)
    round_prizes_draft(round=round)
    assert client.get(reverse("quiz:results_bundle", args=[round.pk])).status_code == 404


def test_bundle_has_no_personal_data(published, client):
    round, people = published
    data = client.get(reverse("quiz:results_bundle", args=[round.pk])).content
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        text = archive.read(receipts.BUNDLE_MEMBER).decode()
    for user in people:
        assert user.email not in text and user.full_name not in text
    content = json.loads(text)
    ids = set(Attempt.objects.filter(round=round).values_list("pk", flat=True))
    assert all(a["attempt"] not in {str(i) for i in ids} for a in content["attempts"])
    assert data == receipts.bundle_build(round=round)  # deterministic


def test_receipt_check_finds_a_receipt_and_its_proof_verifies(published, client, tmp_path, django_assert_max_num_queries):
    round, _people = published
    receipt = Attempt.objects.filter(round=round).first().receipt
    url = reverse("quiz:receipt_check", args=[round.pk])
    with django_assert_max_num_queries(QUERIES["receipt_check"]):
        page = client.get(url, {"receipt": receipt.upper()})
    assert "data-included" in page.content.decode()
    proof = client.get(url, {"receipt": receipt, "download": "1"})
    (tmp_path / "proof.json").write_bytes(proof.content)
    root = RoundCommitment.objects.get(round=round).root
    ok = _run("--proof", tmp_path / "proof.json", "--commitment", root)
    assert ok.returncode == 0, ok.stdout
    bad = _run("--proof", tmp_path / "proof.json", "--commitment", "ab" * 32)
    assert bad.returncode == 1


def test_receipt_check_says_no_and_refuses_garbage_politely(published, client):
    round, _people = published
    url = reverse("quiz:receipt_check", args=[round.pk])
    unknown = client.get(url, {"receipt": "ab" * 32})
    assert "data-not-included" in unknown.content.decode()
    garbage = client.get(url, {"receipt": "<script>xyz"})
    assert garbage.status_code == 200
    assert "64 chữ số" in garbage.content.decode()


# --- The standalone verifier -----------------------------------------------------------------------------


def test_script_verifies_a_published_round(published, client, tmp_path):
    round, _people = published
    bundle, seal = _files(client, round, tmp_path)
    root = RoundCommitment.objects.get(round=round).root
    result = _run(bundle, seal, "--commitment", root)
    assert result.returncode == 0, result.stdout
    assert result.stdout.startswith("OK:")


def test_script_fails_a_bundle_with_one_answer_changed(published, client, tmp_path):
    round, _people = published
    bundle, seal = _files(client, round, tmp_path)

    def change(content):
        answer = content["attempts"][0]["answers"][0]
        answer["choice"] = _wrong_letter(answer["choice"])

    _rewrite_bundle(bundle, change)
    result = _run(bundle, seal)
    assert result.returncode == 1
    assert "receipt does not match its answers" in result.stdout


def test_script_fails_a_bundle_whose_forged_receipt_breaks_the_commitment(published, client, tmp_path):
    """The forger recomputes the receipt too: the commitment published at the close differs."""
    round, _people = published
    bundle, seal = _files(client, round, tmp_path)
    sys.path.insert(0, str(SCRIPT.parent))
    try:
        import verify_round
    finally:
        sys.path.pop(0)

    def change(content):
        attempt = content["attempts"][0]
        attempt["answers"][0]["choice"] = _wrong_letter(attempt["answers"][0]["choice"])
        attempt["receipt"] = verify_round.receipt_of(attempt)

    _rewrite_bundle(bundle, change)
    result = _run(bundle, seal, "--commitment", RoundCommitment.objects.get(round=round).root)
    assert result.returncode == 1
    assert "commitment differs" in result.stdout


def test_an_answer_changed_in_sql_after_the_close_is_caught(published, client, tmp_path):
    """The incident: a blank answer rewritten in SQL as the right one, the score raised to match.
    verify_results names the receipt; the forger who also recomputes the receipt is caught by the
    commitment, and the rebuilt bundle no longer verifies against the published «Mã kết quả»."""
    round, _people = published
    root = RoundCommitment.objects.get(round=round).root
    attempt = Attempt.objects.filter(round=round).order_by("score").first()
    item = AttemptQuestion.objects.filter(attempt=attempt, is_correct=False).first()
    from quiz.models import Option

    right = next(i for i, oid in enumerate(item.option_ids) if Option.objects.get(pk=oid).is_correct)
    AttemptQuestion.objects.filter(pk=item.pk).update(chosen_index=right, is_correct=True)
    Attempt.objects.filter(pk=attempt.pk).update(score=attempt.score + 1)
    messages = verify_results().messages()
    assert any("biên nhận không khớp" in m for m in messages), messages

    forged = receipts.stored_attempts(round=round)[attempt.pk].recomputed
    Attempt.objects.filter(pk=attempt.pk).update(receipt=forged)
    messages = verify_results().messages()
    assert not any("biên nhận không khớp" in m for m in messages)
    assert any("mã kết quả đã công bố" in m for m in messages), messages

    bundle = tmp_path / "results.zip"
    bundle.write_bytes(receipts.bundle_build(round=round))
    seal = tmp_path / "seal.json"
    seal.write_bytes(bytes(round.seal.key_file))
    result = _run(bundle, seal, "--commitment", root)
    assert result.returncode == 1
    assert "commitment differs" in result.stdout


def test_script_mirrors_the_prediction_rule_disqualification_and_not_valid_prizes(client, tmp_path):
    contest = ContestFactory()
    round = sealed_round(
        contest=contest, ranking_rule=RankingRule.SCORE_PREDICTION_TIME, tiebreaker_enabled=True,
        prizes_first=1, prizes_second=1, prizes_third=1, prizes_consolation=2,
    )  # fmt: skip
    people = [contestant() for _ in range(7)]
    for user, (right, guess) in zip(people, [(20, 1), (20, 3), (20, 2), (19, 2), (18, 9), (17, 0), (20, 4)], strict=True):
        _take(round, user, right, prediction=guess)
    _take(round, people[0], 20, prediction=2)  # a better guess on a second attempt
    round = _close(round)
    secretary = staff_user(Role.SECRETARIAT)
    round_prizes_draft(round=round)
    RoundEntry.objects.filter(round=round, user=people[6]).update(disqualified=True, disqualified_reason="Gian lận")
    round_prizes_redraft(round=round)
    first = round_prizes_draft(round=round)
    prize_verify(prize=first[1], by=secretary, valid=False, note="Sai thông tin")
    for prize in round_prizes_draft(round=round):
        if prize.status == PrizeStatus.DRAFT:
            prize_verify(prize=prize, by=secretary, valid=True, note="Đã xác minh")
    round = round_publish_results(round=round, by=staff_user(Role.ORGANIZER))
    assert verify_results().ok
    bundle, seal = _files(client, round, tmp_path)
    with zipfile.ZipFile(bundle) as archive:
        results = json.loads(archive.read(receipts.BUNDLE_MEMBER))["results"]
    # The holder found not valid left the ranking too (docs/decisions.md): out and skipped.
    assert len(results["disqualified"]) == 2 and len(results["invalid"]) == 1
    assert set(results["invalid"]) <= set(results["disqualified"])
    result = _run(bundle, seal, "--commitment", RoundCommitment.objects.get(round=round).root)
    assert result.returncode == 0, result.stdout

    def swap(content):  # two prize holders' tiers swapped in the published outcome
        prizes = content["results"]["prizes"]
        prizes[0]["entrant"], prizes[1]["entrant"] = prizes[1]["entrant"], prizes[0]["entrant"]

    _rewrite_bundle(bundle, swap)
    result = _run(bundle, seal)
    assert result.returncode == 1
    assert "recomputed" in result.stdout
