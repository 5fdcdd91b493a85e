"""Errata of a sealed key (quiz.errata, quiz.services.errata): a question annulled or re-keyed after
the close, with a reason; every attempt re-scored, the ranking and the prize list following
(re-drafted before publication, amended after it, with a message to whoever moved); a public
erratum beside the seal's fingerprint with its new key file; nothing re-keyed silently; and the
chain reconciled by verify_results and by tools/verify_round.py."""

import contextlib
import datetime
import hashlib
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from accounts.enums import Role
from audit.verification import verify_results
from contests.enums import PrizeStatus
from contests.models import Contest, Decision, Notification
from contests.rules import read_only_message
from quiz import errata, scoring
from quiz.demo import demo_window_rewrite
from quiz.enums import ErratumAction
from quiz.errors import QuizError, SealedError
from quiz.models import Attempt, AttemptQuestion, Option, Prize, Question, Round, RoundEntry, RoundErratum, RoundSeal
from quiz.seal import seal_encode, seal_fingerprint, seal_parse
from quiz.services.attempts import attempt_start, attempt_submit
from quiz.services.errata import erratum_preview, round_erratum
from quiz.services.prizes import prize_verify, round_prizes_draft, round_publish_results
from tests.budgets import QUERIES
from tests.factories import ContestFactory, contestant, staff_user
from tests.insider import erratum_triggers_off
from tests.quiz.factories import answer_all, played, sealed_round

pytestmark = pytest.mark.django_db

SCRIPT = Path(settings.BASE_DIR) / "tools" / "verify_round.py"
REASON = "Phương án B và C cùng đúng theo Điều lệ Đảng."


def _close(round):
    demo_window_rewrite(round=round, opens_at=round.opens_at, closes_at=timezone.now() - datetime.timedelta(minutes=1))
    return Round.objects.get(pk=round.pk)


def _played(rights=(20, 19, 18, 17, 16, 15), **kwargs):
    """A closed week of 20-question attempts from a pool of 20 (every attempt draws every question)."""
    round = sealed_round(
        contest=ContestFactory(), pool_size=20, fields=2, prizes_first=1, prizes_second=1, prizes_third=1,
        prizes_consolation=1, **kwargs,
    )  # fmt: skip
    people = [contestant() for _ in rights]
    for user, right in zip(people, rights, strict=True):
        played(round, user, right)
    return _close(round), people


def _publish(round):
    secretary = staff_user(Role.SECRETARIAT)
    for prize in round_prizes_draft(round=round):
        prize_verify(prize=prize, by=secretary, valid=True, note="Đã xác minh với đơn vị")
    return round_publish_results(round=round, by=staff_user(Role.ORGANIZER))


def _question_at(user, round, position):
    return AttemptQuestion.objects.get(attempt__round=round, attempt__user=user, position=position).question


def _scratch_scores(round) -> dict[int, int]:
    """Every finished attempt's score recomputed from scratch: the seal's key followed through the
    errata's key files, the scoring rule on each stored answer."""
    seal = RoundSeal.objects.get(round=round)
    answers, _sha, problems = errata.chain_follow(
        seal_sha256=seal.sha256,
        seal_answers=errata.seal_answers(seal_parse(bytes(seal.key_file))),
        files=[data for _seq, data, _s in errata.errata_files(round=round)],
    )
    assert problems == []
    letters = dict(Option.objects.values_list("pk", "letter"))
    scores = {}
    for attempt in Attempt.objects.filter(round=round).finished().prefetch_related("items__question"):
        total = 0
        for item in attempt.items.all():
            counts = scoring.answer_counts(
                chosen_index=item.chosen_index, answered_at=item.answered_at, deadline=attempt.deadline
            )
            letter = letters[item.option_ids[item.chosen_index]] if counts else None
            total += scoring.answer_right(key=answers[item.question.code], letter=letter, counts=counts)
        scores[attempt.pk] = total
    return scores


def _stored_scores(round) -> dict[int, int]:
    return dict(Attempt.objects.filter(round=round).finished().values_list("pk", "score"))


# --- Re-key and annul ---------------------------------------------------------------------------------


def test_a_rekey_accepting_two_answers_rescores_every_attempt_and_reranks():
    round, people = _played(rights=(20, 19, 18))
    organizer = staff_user(Role.ORGANIZER)
    # The last question of the second contestant's attempt was answered wrong: accept her letter too.
    item = AttemptQuestion.objects.get(attempt__round=round, attempt__user=people[1], position=20)
    question = item.question
    her_letter = Option.objects.get(pk=item.option_ids[item.chosen_index]).letter
    assert her_letter != "A"

    erratum = round_erratum(
        round=round, question=question, action=ErratumAction.REKEY, letters="A" + her_letter, reason=REASON, by=organizer
    )

    assert erratum.seq == 1 and erratum.previous_answer == "A" and erratum.answer == "".join(sorted("A" + her_letter))
    assert erratum.previous_sha256 == RoundSeal.objects.get(round=round).sha256
    assert erratum.sha256 == hashlib.sha256(bytes(erratum.key_file)).hexdigest()
    assert _stored_scores(round) == _scratch_scores(round)
    entry = RoundEntry.objects.get(round=round, user=people[1])
    assert entry.score == 20
    decision = Decision.objects.get(action=Decision.Action.ERRATUM)
    assert decision.reason == REASON and decision.actor == organizer and decision.data["question"] == question.code
    assert verify_results().ok


def test_an_annulled_question_counts_right_for_every_attempt_that_drew_it_answered_or_not():
    round = sealed_round(pool_size=20, fields=2)
    answered_wrong, unanswered = contestant(), contestant()
    played(round, answered_wrong, 19)  # position 20 answered wrong
    attempt = attempt_start(round=round, user=unanswered)
    answers = answer_all(attempt, right=20)
    question = AttemptQuestion.objects.get(attempt=attempt, position=20).question
    del answers[20]
    attempt_submit(attempt=attempt, user=unanswered, answers=answers)
    round = _close(round)
    assert RoundEntry.objects.get(round=round, user=unanswered).score == 19
    wrong_question = _question_at(answered_wrong, round, 20)

    round_erratum(round=round, question=wrong_question, action=ErratumAction.ANNUL, reason=REASON, by=staff_user(Role.ORGANIZER))
    if wrong_question != question:
        round_erratum(round=round, question=question, action=ErratumAction.ANNUL, reason=REASON, by=staff_user(Role.ORGANIZER))

    assert RoundEntry.objects.get(round=round, user=answered_wrong).score == 20
    assert RoundEntry.objects.get(round=round, user=unanswered).score == 20
    assert _stored_scores(round) == _scratch_scores(round)
    assert verify_results().ok


def test_the_preview_says_who_gains_and_loses_a_point_and_writes_nothing():
    round, people = _played(rights=(20, 19))
    question = _question_at(people[1], round, 20)  # right for the first, wrong for the second
    before = _stored_scores(round)

    preview = erratum_preview(round=round, question=question, action=ErratumAction.ANNUL, letters="")

    assert preview == {"was": "A", "answer": "*", "attempts": 2, "gain": 1, "lose": 0}
    assert _stored_scores(round) == before and not RoundErratum.objects.exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"reason": "  "}, "Cần ghi lý do đính chính (ít nhất 10 ký tự)"),
        ({"reason": "ngắn"}, "Cần ghi lý do đính chính (ít nhất 10 ký tự)"),
        ({"letters": "A"}, "đã là như vậy; không có gì để đính chính"),
        ({"letters": "AF"}, "Phương án F không có trong câu hỏi"),
        ({"letters": ""}, "Chọn ít nhất một phương án đúng."),
        ({"action": "erase"}, "Chọn huỷ câu hỏi hoặc sửa đáp án."),
    ],
)
def test_an_erratum_is_refused_with_a_clear_vietnamese_reason(change, message):
    round, people = _played(rights=(20,))
    question = _question_at(people[0], round, 1)
    asked = {"action": ErratumAction.REKEY, "letters": "B", "reason": REASON, **change}

    with pytest.raises(QuizError) as caught:
        round_erratum(round=round, question=question, by=staff_user(Role.ORGANIZER), **asked)

    assert message in caught.value.message
    assert not RoundErratum.objects.exists() and not Decision.objects.filter(action=Decision.Action.ERRATUM).exists()


def test_an_erratum_waits_for_the_close_and_names_only_the_rounds_questions():
    open_round = sealed_round(pool_size=20, fields=2)
    with pytest.raises(QuizError, match="Chỉ đính chính đáp án sau khi tuần thi đã đóng"):
        round_erratum(
            round=open_round, question=open_round.pool.first().question, action=ErratumAction.ANNUL, reason=REASON,
            by=staff_user(Role.ORGANIZER),
        )  # fmt: skip
    round, _people = _played(rights=(20,))
    other = Question.objects.exclude(round_entries__round=round).first()
    with pytest.raises(QuizError, match="không thuộc bộ câu hỏi của tuần thi"):
        round_erratum(round=round, question=other, action=ErratumAction.ANNUL, reason=REASON, by=staff_user(Role.ORGANIZER))


def test_an_archived_contest_takes_no_erratum():
    round, people = _played(rights=(20,))
    Contest.objects.filter(pk=round.contest_id).update(status="archived")
    round = Round.objects.select_related("contest").get(pk=round.pk)
    with pytest.raises(QuizError, match=read_only_message()):
        round_erratum(
            round=round, question=_question_at(people[0], round, 1), action=ErratumAction.ANNUL, reason=REASON,
            by=staff_user(Role.ORGANIZER),
        )  # fmt: skip
    assert not RoundErratum.objects.exists()


def test_a_second_erratum_chains_to_the_first_and_the_old_key_files_are_kept():
    round, people = _played(rights=(20, 19))
    question = _question_at(people[1], round, 20)
    organizer = staff_user(Role.ORGANIZER)
    first = round_erratum(round=round, question=question, action=ErratumAction.REKEY, letters="AB", reason=REASON, by=organizer)
    second = round_erratum(round=round, question=question, action=ErratumAction.ANNUL, reason=REASON, by=organizer)

    assert second.seq == 2 and second.previous_sha256 == first.sha256 and second.previous_answer == "AB"
    content = errata.erratum_parse(bytes(second.key_file))
    assert content["previous"] == first.sha256 and content["answers"][question.code] == "*"
    assert RoundSeal.objects.filter(round=round).count() == 1  # the seal itself untouched
    assert _stored_scores(round) == _scratch_scores(round)
    assert verify_results().ok


# --- The prize list: before and after publication -------------------------------------------------------


def test_before_publication_a_drafted_list_is_redrafted_and_verified_winners_who_stay_stay_verified():
    round, people = _played(rights=(20, 19, 18, 17, 16, 15))
    secretary = staff_user(Role.SECRETARIAT)
    drafted = round_prizes_draft(round=round)
    prize_verify(prize=drafted[0], by=secretary, valid=True)
    # The question the sixth got wrong and everyone above got right: re-keyed to her letter only.
    item = AttemptQuestion.objects.get(attempt__round=round, attempt__user=people[5], position=16)
    letter = Option.objects.get(pk=item.option_ids[item.chosen_index]).letter

    round_erratum(
        round=round, question=item.question, action=ErratumAction.REKEY, letters=letter, reason=REASON,
        by=staff_user(Role.ORGANIZER),
    )  # fmt: skip

    prizes = {p.user_id: p for p in Prize.objects.filter(round=round).valid()}
    assert _stored_scores(round) == _scratch_scores(round)
    assert people[0].pk in prizes and prizes[people[0].pk].status == PrizeStatus.VERIFIED
    assert [p.amendments for p in prizes.values()] == [[]] * len(prizes)  # not published: no amendment
    assert verify_results().ok


def test_after_publication_the_amendment_path_runs_and_whoever_moved_is_told():
    round, people = _played(rights=(20, 19, 18, 17, 16, 15))
    round = _publish(round)
    Notification.objects.all().delete()
    # The question the second got wrong, re-keyed to her letter only: the first loses a point and
    # the second, alone at 20/20 now, takes the first prize.
    item = AttemptQuestion.objects.get(attempt__round=round, attempt__user=people[1], position=20)
    her_letter = Option.objects.get(pk=item.option_ids[item.chosen_index]).letter
    erratum = round_erratum(
        round=round, question=item.question, action=ErratumAction.REKEY, letters=her_letter,
        reason=REASON, by=staff_user(Role.ORGANIZER),
    )  # fmt: skip

    assert _stored_scores(round) == _scratch_scores(round)
    prizes = {p.user_id: p for p in Prize.objects.filter(round=round)}
    assert prizes[people[1].pk].tier == "first" and prizes[people[0].pk].tier != "first"
    moved = [p for p in prizes.values() if p.amendments]
    assert {people[0].pk, people[1].pk} <= {p.user_id for p in moved}
    assert all(a["reason"].startswith("Đính chính đáp án số 1: ") for p in moved for a in p.amendments)
    told = set(Notification.objects.filter(key=f"erratum:quiz:{erratum.pk}").values_list("recipient_id", flat=True))
    assert {people[0].pk, people[1].pk} <= told
    body = Notification.objects.filter(key=f"erratum:quiz:{erratum.pk}", recipient=people[0], channel="email").first()
    assert body is not None and "Trước đính chính: 20/20 điểm, hạng 1." in body.body and REASON in body.body
    report = verify_results()
    assert report.ok, report.lines()


# --- Nothing re-keyed silently ------------------------------------------------------------------------------


def test_a_stored_erratum_cannot_be_changed_or_deleted():
    round, people = _played(rights=(20,))
    erratum = round_erratum(
        round=round, question=_question_at(people[0], round, 1), action=ErratumAction.ANNUL, reason=REASON,
        by=staff_user(Role.ORGANIZER),
    )  # fmt: skip
    erratum.answer = "B"
    with pytest.raises(SealedError), transaction.atomic():
        erratum.save()
    with pytest.raises(SealedError), transaction.atomic():
        erratum.delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        RoundErratum.objects.filter(pk=erratum.pk).update(answer="B", action="rekey")
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM quiz_rounderratum")
    assert RoundErratum.objects.get(pk=erratum.pk).answer == "*"


def test_the_chain_never_forks():
    round, people = _played(rights=(20,))
    first = round_erratum(
        round=round, question=_question_at(people[0], round, 1), action=ErratumAction.ANNUL, reason=REASON,
        by=staff_user(Role.ORGANIZER),
    )  # fmt: skip
    with pytest.raises(DatabaseError), transaction.atomic():
        RoundErratum.objects.create(
            round=round, seq=2, question=first.question, action="rekey", previous_answer="*", answer="B", reason=REASON,
            decided_by=first.decided_by, key_file=b"x", sha256="f" * 64, previous_sha256=first.previous_sha256,
        )  # fmt: skip


def test_verify_results_catches_a_silent_rescore_and_a_tampered_erratum():
    round, people = _played(rights=(20, 19))
    erratum = round_erratum(
        round=round, question=_question_at(people[1], round, 20), action=ErratumAction.ANNUL, reason=REASON,
        by=staff_user(Role.ORGANIZER),
    )  # fmt: skip
    assert verify_results().ok
    # A score rewritten without an erratum.
    Attempt.objects.filter(round=round, user=people[1]).update(score=18)
    assert any("điểm lưu 18, tính lại 20" in line for line in verify_results().lines())
    Attempt.objects.filter(round=round, user=people[1]).update(score=20)
    # The erratum's key file rewritten, with its fingerprint, to accept another answer silently.
    content = errata.erratum_parse(bytes(erratum.key_file))
    other = next(code for code in content["answers"] if code != content["question"])
    content["answers"][other] = "B"
    forged = seal_encode(content)
    with erratum_triggers_off():
        RoundErratum.objects.filter(pk=erratum.pk).update(key_file=forged, sha256=seal_fingerprint(forged))

    lines = "\n".join(verify_results().lines())
    assert "khác với tệp đáp án trước mà không được ghi là đính chính" in lines and other in lines


def test_verify_results_reports_an_erratum_without_its_decision():
    """An erratum row inserted beside the service (the application's role may INSERT) has no
    decision in the log: verify_results says so, whatever its chain."""
    round, people = _played(rights=(20,))
    first = round_erratum(
        round=round, question=_question_at(people[0], round, 1), action=ErratumAction.ANNUL, reason=REASON,
        by=staff_user(Role.ORGANIZER),
    )  # fmt: skip
    assert verify_results().ok
    question = _question_at(people[0], round, 2)
    answers, previous = errata.current_key(round=round)
    content = errata.erratum_content(
        round=round, contest=round.contest.slug, seq=2, previous=previous, question=question.code, action="rekey",
        was=answers[question.code], answer="B", reason=REASON, decided_at=timezone.now(),
        answers=errata.erratum_applied(answers, question=question.code, answer="B"), nonce=errata.new_nonce(),
    )  # fmt: skip
    data = seal_encode(content)
    RoundErratum.objects.create(
        round=round, seq=2, question=question, action="rekey", previous_answer=answers[question.code], answer="B",
        reason=REASON, decided_by=first.decided_by, key_file=data, sha256=seal_fingerprint(data), previous_sha256=previous,
    )  # fmt: skip

    lines = verify_results().lines()
    assert any("Đính chính số 2 không có quyết định tương ứng" in line for line in lines)
    assert not any("Đính chính số 1 không có" in line for line in lines)


def test_verify_results_reports_a_broken_chain():
    round, people = _played(rights=(20,))
    erratum = round_erratum(
        round=round, question=_question_at(people[0], round, 1), action=ErratumAction.ANNUL, reason=REASON,
        by=staff_user(Role.ORGANIZER),
    )  # fmt: skip
    content = errata.erratum_parse(bytes(erratum.key_file))
    content["previous"] = "0" * 64
    forged = seal_encode(content)
    with erratum_triggers_off():
        RoundErratum.objects.filter(pk=erratum.pk).update(
            key_file=forged, sha256=seal_fingerprint(forged), previous_sha256="0" * 64
        )

    assert any("chuỗi đính chính bị đứt" in line for line in verify_results().lines())


# --- The property: a score after errata is a recomputation from scratch -------------------------------------


@pytest.fixture
def property_round():
    round = sealed_round(pool_size=8, fields=2, questions_per_attempt=6, attempts_per_day=None, min_start_interval_minutes=None)
    for right in (6, 5, 3, 0, 4):
        played(round, contestant(), right)
    return _close(round)


@hypothesis_settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    changes=st.lists(
        st.tuples(st.integers(0, 7), st.sampled_from(["annul", "rekey"]), st.sets(st.sampled_from("ABCD"), min_size=1)),
        min_size=1,
        max_size=3,
    )
)
def test_scores_after_any_errata_equal_a_recomputation_from_scratch(property_round, changes):
    round = Round.objects.get(pk=property_round.pk)
    pool = list(Question.objects.filter(round_entries__round=round).order_by("code"))
    organizer = staff_user(Role.ORGANIZER)
    for index, action, letters in changes:
        with contextlib.suppress(QuizError):  # the same key again: refused, nothing written
            round_erratum(round=round, question=pool[index], action=action, letters="".join(letters), reason=REASON, by=organizer)
    assert _stored_scores(round) == _scratch_scores(round)
    entries = dict(RoundEntry.objects.filter(round=round).values_list("user_id", "score"))
    best = {}
    for user_id, score in Attempt.objects.filter(round=round).finished().values_list("user_id", "score"):
        best[user_id] = max(best.get(user_id, 0), score)
    assert entries == best


# --- The public page, the downloads, the standalone verifier --------------------------------------------------


def _files(client, round, tmp_path):
    bundle = client.get(reverse("quiz:results_bundle", args=[round.pk]))
    seal = client.get(reverse("quiz:seal", args=[round.pk]))
    (tmp_path / "results.zip").write_bytes(bundle.content)
    (tmp_path / "seal.json").write_bytes(seal.content)
    return tmp_path / "results.zip", tmp_path / "seal.json"


def _run(*args):
    return subprocess.run([sys.executable, "-I", str(SCRIPT), *map(str, args)], capture_output=True, text=True, timeout=60)


@pytest.fixture
def corrected():
    """A published week whose question was re-keyed after publication."""
    round, people = _played(rights=(20, 19, 18, 17))
    round = _publish(round)
    erratum = round_erratum(
        round=round, question=_question_at(people[1], round, 20), action=ErratumAction.REKEY, letters="AB", reason=REASON,
        by=staff_user(Role.ORGANIZER),
    )  # fmt: skip
    return Round.objects.get(pk=round.pk), erratum


def test_the_round_page_shows_the_erratum_beside_the_seal_and_links_its_key_file(client, corrected):
    round, erratum = corrected
    page = client.get(reverse("quiz:round", args=[round.pk])).content.decode()

    assert 'data-erratum="1"' in page and f'data-erratum-fingerprint="{erratum.sha256}"' in page
    assert f"Sửa đáp án câu {erratum.question.code}" in page and REASON in page and "Đáp án được chấm đúng: A, B." in page
    download = client.get(reverse("quiz:erratum_file", args=[round.pk, 1]))
    assert download.status_code == 200 and download.content == bytes(erratum.key_file)
    assert hashlib.sha256(download.content).hexdigest() == erratum.sha256
    assert client.get(reverse("quiz:seal", args=[round.pk])).status_code == 200  # the old key file kept
    assert client.get(reverse("quiz:erratum_file", args=[round.pk, 2])).status_code == 404


def test_before_publication_the_erratum_is_public_but_not_its_new_answer_nor_its_file(client):
    round, people = _played(rights=(20, 19))
    erratum = round_erratum(
        round=round, question=_question_at(people[1], round, 20), action=ErratumAction.REKEY, letters="AB", reason=REASON,
        by=staff_user(Role.ORGANIZER),
    )  # fmt: skip
    page = client.get(reverse("quiz:round", args=[round.pk])).content.decode()
    assert erratum.sha256 in page and "Đáp án mới được công bố cùng kết quả." in page and "A, B" not in page
    assert client.get(reverse("quiz:erratum_file", args=[round.pk, 1])).status_code == 404
    client.force_login(people[0])
    assert client.get(reverse("quiz:erratum_file", args=[round.pk, 1])).status_code == 404
    client.force_login(staff_user(Role.SECRETARIAT))
    assert client.get(reverse("quiz:erratum_file", args=[round.pk, 1])).status_code == 404
    client.force_login(staff_user(Role.ORGANIZER))
    response = client.get(reverse("quiz:erratum_file", args=[round.pk, 1]))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]


def test_the_standalone_verifier_follows_the_chain_in_the_bundle(client, corrected, tmp_path):
    round, erratum = corrected
    bundle, seal = _files(client, round, tmp_path)
    with zipfile.ZipFile(bundle) as archive:
        assert archive.read("dinh-chinh-1.json") == bytes(erratum.key_file)

    result = _run(bundle, seal)

    assert result.returncode == 0, result.stdout + result.stderr
    assert f"1 errata (key now {erratum.sha256})" in result.stdout
    # Without the erratum, the published scores no longer follow from the seal alone.
    (tmp_path / "bare.zip").write_bytes(_without_errata(bundle))
    bare = _run(tmp_path / "bare.zip", seal)
    assert bare.returncode == 1 and "errata differ" in bare.stdout


def _without_errata(path):
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(buffer, "w") as archive:
        for name in source.namelist():
            if not name.startswith("dinh-chinh-"):
                archive.writestr(name, source.read(name))
    return buffer.getvalue()


def test_the_standalone_verifier_detects_a_tampered_erratum_file(client, corrected, tmp_path):
    round, erratum = corrected
    bundle, seal = _files(client, round, tmp_path)
    content = json.loads(bytes(erratum.key_file))
    other = next(code for code in content["answers"] if code != content["question"])
    content["answers"][other] = "C"
    forged = tmp_path / "forged.json"
    forged.write_bytes((json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n").encode())

    result = _run(bundle, seal, "--erratum", forged)

    assert result.returncode == 1
    assert f"the key of {other} changed without being the erratum's question" in result.stdout
    assert "errata differ" in result.stdout  # and its fingerprint is not the published one
    chained = json.loads(bytes(erratum.key_file))
    chained["previous"] = "0" * 64
    broken = tmp_path / "broken.json"
    broken.write_bytes((json.dumps(chained, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n").encode())
    assert "broken chain" in _run(bundle, seal, "--erratum", broken).stdout


# --- The admin: who may, the confirmation page ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "allowed"), [(Role.ORGANIZER, True), (Role.SECRETARIAT, False), (Role.JUDGE, False), (None, False)]
)
def test_only_organizers_reach_the_erratum_screen(client, role, allowed):
    round, _people = _played(rights=(20,))
    user = staff_user(role) if role else contestant()
    client.force_login(user)
    response = client.get(reverse("admin:quiz_round_erratum", args=[round.pk]))
    if allowed:
        assert response.status_code == 200
    else:
        assert response.status_code in (302, 403)
    response = client.post(
        reverse("admin:quiz_round_erratum", args=[round.pk]),
        {"question": round.pool.first().question_id, "action": "annul", "reason": REASON, "confirm": "yes"},
    )
    assert RoundErratum.objects.exists() is allowed


def test_the_admin_asks_for_a_confirmation_then_records_the_erratum(client):
    round, people = _played(rights=(20, 19))
    client.force_login(staff_user(Role.ORGANIZER))
    url = reverse("admin:quiz_round_erratum", args=[round.pk])
    question = _question_at(people[1], round, 20)
    change_page = client.get(reverse("admin:quiz_round_change", args=[round.pk])).content.decode()
    assert url in change_page

    asked = {"question": question.pk, "action": "rekey", "letters": ["A", "B"], "reason": REASON}
    preview = client.post(url, asked).content.decode()

    assert "data-erratum-confirmation" in preview and "Xác nhận đính chính" in preview
    assert not RoundErratum.objects.exists()
    done = client.post(url, {**asked, "confirm": "yes"})
    assert done.status_code == 302
    erratum = RoundErratum.objects.get()
    assert erratum.answer == "AB" and erratum.reason == REASON

    refused = client.post(url, {**asked, "reason": "x"}).content.decode()
    assert "Cần ghi lý do đính chính" in refused and RoundErratum.objects.count() == 1


def test_the_admin_says_why_an_open_round_takes_no_erratum(client):
    round = sealed_round(pool_size=20, fields=2)
    client.force_login(staff_user(Role.ORGANIZER))
    page = client.get(reverse("admin:quiz_round_erratum", args=[round.pk])).content.decode()
    assert "Chỉ đính chính đáp án sau khi tuần thi đã đóng" in page


# --- Query budgets -------------------------------------------------------------------------------------------


def test_the_round_page_with_errata_and_the_key_file_keep_their_budgets(client, corrected, django_assert_num_queries):
    round, _erratum = corrected
    with django_assert_num_queries(QUERIES["round_page_errata_signed_out"]):
        client.get(reverse("quiz:round", args=[round.pk]))
    with django_assert_num_queries(QUERIES["erratum_file"]):
        client.get(reverse("quiz:erratum_file", args=[round.pk, 1]))


def test_the_erratum_form_keeps_its_budget_whatever_the_pool(client, django_assert_max_num_queries):
    organizer = staff_user(Role.ORGANIZER)
    client.force_login(organizer)
    for pool in (20, 60):
        round = _close(sealed_round(pool_size=pool, fields=2))
        with django_assert_max_num_queries(QUERIES["admin_round_erratum"]):
            client.get(reverse("admin:quiz_round_erratum", args=[round.pk]))


def test_the_review_marks_what_the_last_erratum_accepts_and_says_a_question_was_annulled(
    django_capture_on_commit_callbacks,
):
    """A contestant's answer review follows the key her score follows: after a re-key both letters
    are «Đáp án đúng», after an annulment the question says so; the cached key follows each erratum."""
    from quiz import selectors

    round, people = _played(rights=(20, 19))
    item = AttemptQuestion.objects.get(attempt__round=round, attempt__user=people[1], position=20)
    her_letter = Option.objects.get(pk=item.option_ids[item.chosen_index]).letter
    attempt = item.attempt

    def reviewed():
        return next(i for i in selectors.attempt_items(attempt=attempt, with_answers=True) if i.position == 20)

    before = reviewed()
    assert before.accepted == (before.correct_index,) and before.chosen_index not in before.accepted  # cached: no erratum

    organizer = staff_user(Role.ORGANIZER)
    with django_capture_on_commit_callbacks(execute=True):
        round_erratum(round=round, question=item.question, action=ErratumAction.REKEY, letters="A" + her_letter,
                      reason=REASON, by=organizer)  # fmt: skip
    rekeyed = reviewed()
    assert rekeyed.chosen_index in rekeyed.accepted and len(rekeyed.accepted) == 2 and rekeyed.is_correct

    with django_capture_on_commit_callbacks(execute=True):
        round_erratum(round=round, question=item.question, action=ErratumAction.ANNUL, reason=REASON, by=organizer)
    annulled = reviewed()
    assert annulled.annulled and annulled.accepted == ()
