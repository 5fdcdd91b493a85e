"""What the quiz holds about a person (the hooks of contests.personal_data, on QuizConfig):
attempts with their answers, standings, prizes; the address an attempt came from."""

from django.utils.translation import gettext as _

from contests.personal_data import Section, when

from .models import Attempt, AttemptQuestion, Option, Prize, ResultShare, RoundEntry
from .selectors import review_allowed


def export(*, user) -> list[Section]:
    attempts = list(Attempt.objects.filter(user=user).select_related("round__contest", "organization").order_by("started_at"))
    by_id = {a.pk: a for a in attempts}
    items = AttemptQuestion.objects.filter(attempt__user=user).select_related("question").order_by("attempt_id", "position")
    items = list(items)

    def chosen_option(item):
        index = item.chosen_index
        return item.option_ids[index] if index is not None and 0 <= index < len(item.option_ids) else None

    options = dict(Option.objects.filter(pk__in={chosen_option(i) for i in items} - {None}).values_list("pk", "text"))
    # The right answers of an attempt only once the contestant may see them (quiz.selectors.review_allowed).
    reviewable = {a.pk for a in attempts if review_allowed(attempt=a)}
    answers = []
    for item in items:
        option_id = chosen_option(item)
        answers.append({
            _("Bài thi"): item.attempt_id, _("Câu"): item.position + 1, _("Câu hỏi"): item.question.text,
            _("Phương án đã chọn"): options.get(option_id, ""), _("Trả lời lúc"): when(item.answered_at),
            _("Đúng"): item.is_correct if item.attempt_id in reviewable else "",
        })  # fmt: skip
    entries = RoundEntry.objects.filter(user=user).select_related("round").order_by("round__opens_at")
    prizes = Prize.objects.filter(user=user, round__results_published_at__isnull=False).select_related("round")
    shares = ResultShare.objects.filter(user=user).select_related("round").order_by("created_at")
    return [
        Section("attempts", _("Bài thi trắc nghiệm"), [{
            _("Bài thi"): a.pk, _("Cuộc thi"): a.round.contest.name, _("Tuần thi"): a.round.name,
            _("Đơn vị lúc thi"): a.organization.name, _("Bắt đầu"): when(a.started_at), _("Nộp lúc"): when(a.finished_at),
            _("Trạng thái"): a.get_status_display(), _("Điểm"): a.score if a.score is not None else "",
            _("Số câu"): a.question_count, _("Thời gian làm bài (giây)"): a.duration_seconds if a.duration_ms else "",
            _("Dự đoán"): a.prediction if a.prediction is not None else "", _("Địa chỉ IP"): a.ip_address or "",
        } for a in by_id.values()]),
        Section("answers", _("Câu trả lời"), answers),
        Section("round_entries", _("Kết quả theo tuần"), [{
            _("Tuần thi"): e.round.name, _("Điểm cao nhất"): e.score, _("Thời gian (giây)"): e.duration_ms / 1000,
            _("Số bài thi"): e.attempts_count, _("Bị loại"): e.disqualified, _("Lý do loại"): e.disqualified_reason,
        } for e in entries]),
        Section("quiz_prizes", _("Giải thưởng tuần"), [{
            _("Tuần thi"): p.round.name, _("Giải"): p.get_tier_display(), _("Hạng"): p.rank,
            _("Xác minh"): p.get_status_display(),
        } for p in prizes]),
        Section("result_shares", _("Kết quả đã chia sẻ"), [{
            _("Tuần thi"): s.round.name, _("Tên hiện"): s.get_name_shown_display(), _("Hiện điểm"): s.show_score,
            _("Chia sẻ lúc"): when(s.created_at),
        } for s in shares]),
    ]  # fmt: skip


def anonymize(*, user, label: str) -> None:
    # Scores, times and answers stay (every figure still adds up); the address goes, and so does
    # every shared result (its page would show the name).
    Attempt.objects.filter(user=user).exclude(ip_address=None).update(ip_address=None)
    ResultShare.objects.filter(user=user).delete()


def objects(*, user) -> dict[str, list[int]]:
    return {
        "quiz.prize": list(Prize.objects.filter(user=user).values_list("pk", flat=True)),
        "quiz.roundentry": list(RoundEntry.objects.filter(user=user).values_list("pk", flat=True)),
        "quiz.resultshare": list(ResultShare.objects.filter(user=user).values_list("pk", flat=True)),
    }


def contests(*, users) -> dict[int, set[int]]:
    found: dict[int, set[int]] = {}
    for user_id, contest_id in Attempt.objects.filter(user__in=users).values_list("user_id", "round__contest_id").distinct():
        found.setdefault(user_id, set()).add(contest_id)
    return found
