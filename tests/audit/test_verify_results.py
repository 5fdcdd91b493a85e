"""verify_results: passes on consistent data (a hand-built contest, a simulated one) and names
each tampering in Vietnamese: a draw off the blueprint, a stored score, a right answer moved in the bank, a key file's
bytes, a best attempt, a prize tier, an essay score after the prizes."""

import datetime
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.enums import Role
from audit.verification import verify_results
from contests.decisions import Action, decision_record
from contests.enums import PrizeTier
from contests.models import Decision
from essays import judging
from essays.models import Assignment, EssayPrize, Score
from quiz.demo import demo_window_rewrite
from quiz.models import (
    Attempt,
    AttemptQuestion,
    Field,
    Option,
    Prize,
    Question,
    Round,
    RoundEntry,
    RoundSeal,
    RoundWindowChange,
)
from quiz.seal import seal_backfill, seal_record
from quiz.services.attempts import attempt_start, attempt_submit
from quiz.services.pool import round_pool_add
from quiz.services.prizes import prize_amend, prize_verify, round_prizes_draft, round_publish_results
from quiz.services.rounds import round_approve, round_extend_window
from tests.essays.factories import EssayPhaseFactory
from tests.essays.test_judging import _eligible, _round, _score_all
from tests.factories import ContestFactory, ProfileFactory, contestant, staff_user
from tests.insider import seal_triggers_off
from tests.quiz.factories import QuestionFactory, RoundFactory, answer_all, played, sealed_round

pytestmark = pytest.mark.django_db


def _close(round):
    """The round closed an hour after it opened, as if sealed with that window."""
    demo_window_rewrite(round=round, opens_at=round.opens_at, closes_at=round.opens_at + datetime.timedelta(hours=1))
    return Round.objects.get(pk=round.pk)


def _week(contest, people, scores, *, staff=None):
    """A weekly round, closed, its prize list drafted, verified and published."""
    round = sealed_round(contest=contest, number=1, prizes_first=1, prizes_second=1, prizes_third=0, prizes_consolation=1)
    for user, rights in zip(people, scores):
        for right in rights:
            played(round, user, right)
    if staff is not None:
        played(round, staff, 20)  # the best score, never drafted
    round = _close(round)
    secretary = staff_user(Role.SECRETARIAT)
    for prize in round_prizes_draft(round=round):
        prize_verify(prize=prize, by=secretary, valid=True, note="Đã xác minh với đơn vị")
    return round_publish_results(round=round, by=staff_user(Role.ORGANIZER))


@pytest.fixture
def built():
    """A contest with a published week (one contestant with two attempts, a judge with a profile
    who played and is skipped for prizes) and a writing final with published prizes."""
    contest = ContestFactory()
    people = [contestant() for _ in range(4)]
    judge = ProfileFactory(user=staff_user(Role.JUDGE)).user
    round = _week(contest, people, [(15, 19), (18,), (17,), (12,)], staff=judge)
    phase = EssayPhaseFactory(contest=contest)
    _eligible(phase, 5)
    final, judges = _round(phase, judges=1)
    judging.round_fill_from_screening(round=final)
    judging.round_assign(round=final)
    _score_all(final, judges[0], base=10)
    judging.round_close(round=final)
    plan = judging.PRIZE_PLAN
    secretary = staff_user(Role.SECRETARIAT)
    for prize in judging.prizes_award(round=final, plan=plan):
        judging.prize_verify(prize=prize, by=secretary, valid=True, note="Đã xác minh")
    judging.prizes_publish(round=final)
    return contest, round, people, judge, final


def test_verify_results_passes_on_a_hand_built_contest(built, capsys):
    contest, round, people, judge, final = built

    report = verify_results(contest_slug=contest.slug)
    call_command("verify_results", "--contest", contest.slug)

    assert report.messages() == []
    assert report.checked["attempts"] == 6 == Attempt.objects.filter(round=round).count()
    assert report.checked["answers"] == 6 * 20
    assert report.checked["prizes"] == 3
    assert report.checked["essay_prizes"] == 5
    # The judge's 20/20 stands first on the leaderboard but the prizes go to the contestants.
    assert list(Prize.objects.filter(round=round).order_by("rank").values_list("user", "tier", "rank")) == [
        (people[0].pk, PrizeTier.FIRST, 2), (people[1].pk, PrizeTier.SECOND, 3), (people[2].pk, PrizeTier.CONSOLATION, 4),
    ]  # fmt: skip
    out = capsys.readouterr().out
    assert out.startswith("Khớp: 1 cuộc thi, 1 tuần thi (1 tệp niêm phong), 6 bài thi, 120 câu trả lời")


def test_verify_results_passes_on_a_simulated_contest():
    call_command("simulate_contest", "--scale", "0.01", "--seed", "5")

    report = verify_results()

    assert report.messages() == []
    assert report.checked["seals"] == 4
    assert report.checked["answers"] == 20 * report.checked["attempts"] > 0
    assert report.checked["essay_prizes"] > 0


def _fails(contest) -> list[str]:
    with pytest.raises(CommandError) as failure:
        call_command("verify_results", "--contest", contest.slug)
    assert failure.value.returncode == 1
    assert str(failure.value).startswith("Không khớp: ")
    return verify_results(contest_slug=contest.slug).messages()


def test_a_changed_score_is_named(built, capsys):
    contest, round, people, *_ = built
    attempt = Attempt.objects.get(round=round, user=people[1])
    Attempt.objects.filter(pk=attempt.pk).update(score=17)

    messages = _fails(contest)

    assert f"Tuần 1, bài thi #{attempt.pk}: điểm lưu 17, tính lại 18." in messages
    out = capsys.readouterr().out
    assert f"Cuộc thi «{contest.name}» ({contest.slug})\n  Tuần 1 — {round.name}\n" in out


def test_a_right_answer_moved_in_the_bank_is_caught_by_the_seal_and_the_scores_still_follow_the_key_file(built):
    contest, round, people, *_ = built
    # A question someone answered right: its right option becomes another one (past the signals).
    item = AttemptQuestion.objects.filter(attempt__round=round, is_correct=True).select_related("question").first()
    question = item.question
    Option.objects.filter(question=question, letter="A").update(is_correct=False)
    Option.objects.filter(question=question, letter="B").update(is_correct=True)

    messages = _fails(contest)

    assert f"Tuần 1, niêm phong: Câu {question.code}: đáp án đúng hiện là B, tệp niêm phong ghi A." in messages
    # Scored with the sealed key file, every stored score still holds.
    assert [m for m in messages if "điểm lưu" in m or "lưu «" in m] == []


def test_a_changed_key_file_is_caught_by_its_fingerprint(built):
    """An attacker with database access: the trigger refuses the UPDATE, so they drop it first."""
    contest, round, *_ = built
    seal = RoundSeal.objects.get(round=round)
    key = json.loads(bytes(seal.key_file))
    key["questions"][0]["answer"] = "B" if key["questions"][0]["answer"] != "B" else "C"
    forged = (json.dumps(key, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n").encode()
    table = RoundSeal._meta.db_table
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET key_file = %s WHERE id = %s", [forged, seal.pk])
    with seal_triggers_off() as cursor:
        cursor.execute(f"UPDATE {table} SET key_file = %s WHERE id = %s", [forged, seal.pk])

    messages = _fails(contest)

    assert any(m.startswith("Tuần 1, niêm phong: Tệp đáp án đang lưu có SHA-256 ") and seal.sha256 in m for m in messages)
    assert (
        "Tuần 1: không có tệp đáp án niêm phong đúng với mã niêm phong; bài thi được chấm lại theo đáp án hiện có trong "
        "ngân hàng câu hỏi." in messages
    )


def test_a_changed_best_attempt_is_named(built):
    contest, round, people, *_ = built
    worse, best = Attempt.objects.filter(round=round, user=people[0]).order_by("pk")
    RoundEntry.objects.filter(round=round, user=people[0]).update(best_attempt=worse)

    messages = _fails(contest)

    assert f"Tuần 1, thí sinh #{people[0].pk}: bài thi tốt nhất lưu #{worse.pk}, tính lại #{best.pk}." in messages


def test_a_swapped_prize_tier_is_named(built):
    contest, round, people, *_ = built
    Prize.objects.filter(round=round, user=people[0]).update(tier=PrizeTier.SECOND)
    Prize.objects.filter(round=round, user=people[1]).update(tier=PrizeTier.FIRST)

    messages = _fails(contest)

    assert messages == [
        f"Tuần 1, giải của thí sinh #{people[0].pk}: lưu Giải Nhì hạng 2, tính lại Giải Nhất hạng 2.",
        f"Tuần 1, giải của thí sinh #{people[1].pk}: lưu Giải Nhất hạng 3, tính lại Giải Nhì hạng 3.",
    ]


def test_an_essay_score_changed_after_the_prizes_is_named(built):
    contest, *_, final = built
    winner = EssayPrize.objects.get(essay__round_entries__round=final, tier=PrizeTier.FIRST).essay
    Score.objects.filter(assignment__in=Assignment.objects.filter(round=final, essay=winner)).update(points=0)

    messages = _fails(contest)

    # The winner falls to the last of five places; the four others move up one.
    assert f"Bài {winner.code}: giải lưu Giải Nhất hạng 1, tính lại Giải Ba hạng 5." in messages
    assert len(messages) == 5


def test_a_changed_answer_row_is_named(built):
    contest, round, *_ = built
    item = AttemptQuestion.objects.filter(attempt__round=round, is_correct=True).order_by("pk").first()
    AttemptQuestion.objects.filter(pk=item.pk).update(is_correct=False)

    messages = _fails(contest)

    assert messages == [
        f"Tuần 1, bài thi #{item.attempt_id}, câu {item.position} ({item.question.code}): lưu «sai», tính lại «đúng»."
    ]


def test_a_question_from_another_field_of_the_pool_is_named_as_a_draw_off_the_blueprint(built):
    contest, round, people, *_ = built
    item = (
        AttemptQuestion.objects.filter(attempt__round=round, is_correct=False)
        .select_related("question__field")
        .order_by("pk")
        .first()
    )
    drawn = AttemptQuestion.objects.filter(attempt_id=item.attempt_id).values_list("question_id", flat=True)
    other = (
        Question.objects.filter(round_entries__round=round)
        .exclude(field_id=item.question.field_id)
        .exclude(pk__in=drawn)
        .select_related("field")
        .first()
    )
    option_ids = list(other.options.order_by("letter").values_list("pk", flat=True))
    AttemptQuestion.objects.filter(pk=item.pk).update(
        question=other, option_ids=option_ids, option_count=len(option_ids), chosen_index=None, answered_at=None
    )

    messages = _fails(contest)

    counts = {f.name: 5 for f in Field.objects.filter(questions__round_entries__round=round).distinct()}
    wanted = ", ".join(f"{name}: {n}" for name, n in sorted(counts.items()))
    counts[item.question.field.name] -= 1
    counts[other.field.name] += 1
    got = ", ".join(f"{name}: {n}" for name, n in sorted(counts.items()))
    assert messages == [
        f"Tuần 1, bài thi #{item.attempt_id}: câu hỏi rút không theo cơ cấu đề của tuần (rút {got}; cơ cấu {wanted}).",
        f"Tuần 1, bài thi #{item.attempt_id}: biên nhận không khớp với các câu trả lời và thời gian đã lưu.",
    ]


def test_an_answer_saved_after_the_deadline_does_not_count(built):
    contest, round, people, *_ = built
    attempt = Attempt.objects.get(round=round, user=people[1])
    item = AttemptQuestion.objects.filter(attempt=attempt, is_correct=True).first()
    AttemptQuestion.objects.filter(pk=item.pk).update(answered_at=attempt.deadline + datetime.timedelta(seconds=1))

    messages = _fails(contest)

    assert f"Tuần 1, bài thi #{attempt.pk}: điểm lưu 18, tính lại 17." in messages


def test_an_unknown_contest_is_refused_in_vietnamese():
    with pytest.raises(CommandError, match="Không có cuộc thi nào có mã «khong-co»"):
        call_command("verify_results", "--contest", "khong-co")


def test_only_the_chosen_contest_is_verified(built):
    contest, round, people, *_ = built
    other = ContestFactory()
    _week(other, [contestant(), contestant()], [(20,), (10,)])
    Attempt.objects.filter(round__contest=other).update(score=0)

    assert verify_results(contest_slug=contest.slug).ok
    assert verify_results(contest_slug=contest.slug).checked["contests"] == 1
    assert not verify_results().ok


def test_verify_results_makes_the_same_queries_for_more_attempts():
    """A few queries per round, none per attempt or per answer."""

    def queries(contestants, attempts_each):
        contest = ContestFactory()
        people = [contestant() for _ in range(contestants)]
        _week(contest, people, [(20 - i,) * attempts_each for i in range(contestants)])
        with CaptureQueriesContext(connection) as captured:
            assert verify_results(contest_slug=contest.slug).ok
        return len(captured)

    assert queries(3, 1) == queries(6, 3)


def test_every_step_of_the_prize_lifecycle_keeps_the_results_verifiable():
    """Not valid before publication, a disqualification, an amendment after publication, an essay
    prize not valid: what the lifecycle stores is what the verification recomputes."""
    from audit import integrity

    contest = ContestFactory()
    people = [contestant() for _ in range(6)]
    round = sealed_round(contest=contest, number=1, prizes_first=1, prizes_second=1, prizes_third=1, prizes_consolation=0)
    for user, right in zip(people, (20, 19, 18, 17, 16, 15)):
        played(round, user, right)
    round = _close(round)
    secretary = staff_user(Role.SECRETARIAT)
    round_prizes_draft(round=round)
    prize_verify(prize=Prize.objects.get(user=people[0]), by=secretary, valid=False, note="Thi hộ")
    case = integrity.Case(key="fast:1", kind="fast", description="", user_ids=[people[1].pk])
    integrity.decide(contest=contest, case=case, by=secretary, verdict="disqualify", reason="17 giây")
    assert verify_results(contest_slug=contest.slug).messages() == []

    for prize in Prize.objects.filter(round=round, status="draft"):
        prize_verify(prize=prize, by=secretary, valid=True, note="Đã xác minh")
    round_publish_results(round=round, by=staff_user(Role.ORGANIZER))
    prize_amend(prize=Prize.objects.get(user=people[2]), by=secretary, valid=False, reason="Đơn vị báo sai")
    phase = EssayPhaseFactory(contest=contest)
    _eligible(phase, 4)
    final, judges = _round(phase, judges=1)
    judging.round_fill_from_screening(round=final)
    judging.round_assign(round=final)
    _score_all(final, judges[0], base=10)
    judging.round_close(round=final)
    awarded = judging.prizes_award(round=final, plan=judging.PRIZE_PLAN)
    judging.prize_verify(prize=awarded[0], by=secretary, valid=False, note="Đã đăng báo")

    report = verify_results(contest_slug=contest.slug)

    assert report.messages() == []
    assert Prize.objects.valid().filter(round=round).count() == 3  # the next ones moved up each time
    assert report.checked["essay_prizes"] == 4


def test_a_prediction_round_is_verified_against_the_frozen_count():
    from quiz.enums import RankingRule

    contest = ContestFactory()
    people = [contestant() for _ in range(4)]
    round = sealed_round(
        contest=contest, number=1, ranking_rule=RankingRule.SCORE_PREDICTION_TIME, tiebreaker_enabled=True,
        prizes_first=1, prizes_second=1, prizes_third=1, prizes_consolation=0,
    )  # fmt: skip
    for user, (right, guess) in zip(people, [(20, 9), (20, 2), (20, 3), (19, 3)]):
        attempt = attempt_start(round=round, user=user)
        attempt_submit(attempt=attempt, user=user, answers=answer_all(attempt, right=right), prediction=guess)
    assert verify_results(contest_slug=contest.slug).messages() == []
    round = _close(round)
    round_prizes_draft(round=round)

    assert verify_results(contest_slug=contest.slug).messages() == []
    # Three full scores: the closest guess (3) first, then 2, then 9.
    assert list(Prize.objects.filter(round=round).order_by("rank").values_list("user", flat=True)) == [
        people[2].pk, people[1].pk, people[0].pk,
    ]  # fmt: skip
    Round.objects.filter(pk=round.pk).update(full_score_actual=2)
    assert "Tuần 1: số người đạt điểm tuyệt đối đã chốt 2, tính lại 3." in verify_results(contest_slug=contest.slug).messages()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(["right", "wrong", "blank", "late"]), min_size=20, max_size=20))
def test_the_recomputed_score_agrees_with_the_scoring_service(pattern):
    """Whatever the answers — right, wrong, blank, or saved after the deadline — the score the
    verification recomputes from the key file is the one the scoring stored."""
    contest = ContestFactory()
    round = sealed_round(contest=contest, number=1, pool_size=20, fields=2)
    user = contestant()
    attempt = attempt_start(round=round, user=user)
    for item, kind in zip(attempt.items.order_by("position"), pattern):
        if kind == "blank":
            continue
        right = next(i for i, oid in enumerate(item.option_ids) if Option.objects.get(pk=oid).is_correct)
        chosen = right if kind in ("right", "late") else (right + 1) % item.option_count
        when = attempt.deadline + datetime.timedelta(seconds=1) if kind == "late" else attempt.started_at
        AttemptQuestion.objects.filter(pk=item.pk).update(chosen_index=chosen, answered_at=when)
    attempt = attempt_submit(attempt=attempt, user=user, answers={})

    report = verify_results(contest_slug=contest.slug)

    assert report.messages() == []
    assert attempt.score == pattern.count("right")


# --- The seal's history: written before the opening, never replaced, the window as sealed --------------


def _seal_history(messages):
    return [m for m in messages if m.startswith("Tuần 1, niêm phong: ")]


def test_a_seal_deleted_and_written_again_with_another_key_is_named(built):
    """An insider with the owner's rights lifts the triggers, deletes the seal and writes a new one
    (another nonce, another fingerprint) dated before the opening: the SEAL decision still names
    the first fingerprint."""
    contest, round, *_ = built
    first = RoundSeal.objects.get(round=round)
    with seal_triggers_off() as cursor:
        cursor.execute("DELETE FROM quiz_roundseal WHERE id = %s", [first.pk])
    second = seal_record(round=Round.objects.get(pk=round.pk), at=first.created_at)
    assert second.sha256 != first.sha256

    messages = _seal_history(_fails(contest))

    decision = Decision.objects.get(action=Action.SEAL, object_id=round.pk)
    assert messages == [
        f"Tuần 1, niêm phong: quyết định niêm phong #{decision.pk} ghi mã {first.sha256}, nhưng tệp đang lưu có mã "
        f"{second.sha256}: tệp đã bị thay."
    ]


def test_a_seal_written_again_later_is_named_even_with_its_decision_forged(built):
    """Replaced after the opening, with a second SEAL decision naming the new fingerprint."""
    contest, round, *_ = built
    first = RoundSeal.objects.get(round=round)
    with seal_triggers_off() as cursor:
        cursor.execute("DELETE FROM quiz_roundseal WHERE id = %s", [first.pk])
    second = seal_record(round=Round.objects.get(pk=round.pk))
    decision_record(action=Action.SEAL, obj=round, data={"sha256": second.sha256})

    messages = _seal_history(_fails(contest))

    assert any("không trước lúc tuần thi mở" in m for m in messages)
    assert "Tuần 1, niêm phong: nhật ký có 2 quyết định niêm phong cho tuần thi này; phải có đúng một." in messages
    assert any(f"ghi mã {first.sha256}, nhưng tệp đang lưu có mã {second.sha256}: tệp đã bị thay." in m for m in messages)
    assert any("sau quyết định niêm phong" in m for m in messages)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"closes_at": datetime.timedelta(hours=2)}, "thời gian đóng đã bị đổi ngoài chức năng gia hạn và đóng sớm."),
        ({"opens_at": datetime.timedelta(minutes=30)}, "thời gian mở không được đổi sau khi niêm phong."),
    ],
)
def test_a_window_moved_in_sql_is_named(built, change, expected):
    contest, round, *_ = built
    Round.objects.filter(pk=round.pk).update(**{name: getattr(round, name) + delta for name, delta in change.items()})

    messages = _seal_history(_fails(contest))

    assert len(messages) == 1 and messages[0].endswith(expected)


def test_a_window_extended_through_the_service_verifies_and_a_forged_record_does_not():
    contest = ContestFactory()
    round = sealed_round(contest=contest, number=1, pool_size=20, fields=2)
    organizer = staff_user(Role.ORGANIZER)
    later = round.closes_at + datetime.timedelta(days=1)

    round_extend_window(round=round, closes_at=later, by=organizer, reason="Mất điện diện rộng")

    assert _seal_history(verify_results(contest_slug=contest.slug).messages()) == []
    # A second "extension" written straight into the tables, with no decision.
    RoundWindowChange.objects.create(
        round=round, old_closes_at=later, new_closes_at=later + datetime.timedelta(days=1), reason="x", changed_by=organizer
    )
    Round.objects.filter(pk=round.pk).update(closes_at=later + datetime.timedelta(days=1))
    messages = _seal_history(verify_results(contest_slug=contest.slug).messages())
    assert len(messages) == 1 and messages[0].endswith("thời gian đóng đã bị đổi ngoài chức năng gia hạn và đóng sớm.")


def test_a_round_sealed_after_it_opened_is_named():
    contest = ContestFactory()
    round = RoundFactory(contest=contest, number=1)  # opened yesterday
    round_pool_add(round=round, question_ids=[q.pk for q in QuestionFactory.create_batch(20)])
    round_approve(round=round, by=staff_user(Role.ORGANIZER))

    messages = _seal_history(_fails(contest))

    assert len(messages) == 1 and "không trước lúc tuần thi mở" in messages[0]


def test_a_backfilled_seal_and_an_old_decision_are_noted_not_failed():
    contest = ContestFactory()
    old = RoundFactory(contest=contest, number=1)
    round_pool_add(round=old, question_ids=[q.pk for q in QuestionFactory.create_batch(20)])
    Round.objects.filter(pk=old.pk).update(approved_at=old.opens_at - datetime.timedelta(days=1))  # sealed the old way
    seal_backfill(round=old)
    opens = old.closes_at + datetime.timedelta(hours=1)
    older = RoundFactory(contest=contest, number=2, opens_at=opens, closes_at=opens + datetime.timedelta(days=6))
    round_pool_add(round=older, question_ids=[q.pk for q in QuestionFactory.create_batch(20)])
    at = older.opens_at - datetime.timedelta(days=1)
    Round.objects.filter(pk=older.pk).update(approved_at=at)
    seal_record(round=older, at=at)
    decision_record(action=Action.SEAL, obj=older, data={}, at=at)  # before the fingerprint was recorded

    report = verify_results(contest_slug=contest.slug)

    assert report.messages() == []
    notes = report.note_lines()
    assert len(notes) == 2
    assert "Tuần 1, niêm phong: tệp được lập bổ sung lúc " in notes[0]
    assert "không ghi mã niêm phong; không kiểm tra được tệp có bị thay không." in notes[1]
