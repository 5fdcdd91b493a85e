"""The quiz part of verify_results: each round's seal and the chain of its errata, every attempt's draw (its questions from
the round's sealed pool, as many of each field as the round's allocation — the blueprint, or every
field in proportion: `quiz.services.round_allocation`), every attempt's score from its answers and
the sealed key file, every contestant's best attempt, the ranking and the prize list.

Independent of what is derived and stored (scores, `is_correct`, durations, entries, prizes): those
are recomputed from what was stamped or chosen (the key file, the shuffled option order, the
chosen index, the times) and compared. The rules themselves are not re-derived: the best attempt
and the order come from `quiz.ranking`, who is staff from `accounts.roles` — checking the stored
figures against the one rule is the point. A handful of queries per round, whatever its size."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import may_win_prize
from contests.enums import PrizeStatus, PrizeTier
from contests.models import Decision
from quiz import ranking, scoring
from quiz.enums import AttemptStatus, RoundKind
from quiz.errata import errata_verify
from quiz.models import Attempt, AttemptQuestion, Option, Prize, Round, RoundCommitment, RoundEntry, RoundErratum, RoundSeal
from quiz.receipts import commitment_leaves, merkle_root, stored_attempts_chunks
from quiz.seal import SealFormatError, seal_fingerprint, seal_parse, seal_verify
from quiz.services.deadlines import attempt_time_allowed, extra_minutes_by_user
from quiz.services.pool import round_allocation

from .report import Report, number
from .seal_history import verify_seal_history

CHUNK = 10_000


@dataclass(slots=True)
class AttemptFact:
    """An attempt as recomputed. `score` and `duration_ms` are the recomputed values (the names
    `quiz.ranking.attempt_key` reads); the stored ones are kept beside them."""

    pk: int
    user_id: int
    organization_id: int
    status: str
    started_at: object
    deadline: object
    finished_at: object
    stored_score: int | None
    question_count: int
    stored_duration_ms: int | None
    prediction: int | None
    score: int = 0
    duration_ms: int = 0
    items: int = 0

    @property
    def finished(self) -> bool:
        return self.status != AttemptStatus.OPEN


@dataclass
class RoundFacts:
    """What the figures need from a round, recomputed."""

    round: Round
    attempts: list[AttemptFact] = field(default_factory=list)  # finished ones
    best: dict[int, AttemptFact] = field(default_factory=dict)  # user id -> recomputed best attempt


def round_label(round: Round) -> str:
    if round.kind == RoundKind.PRACTICE:
        return _("Thi thử %(n)d") % {"n": round.number}
    return _("Tuần %(n)d") % {"n": round.number}


def tier_label(tier: str) -> str:
    try:
        return str(PrizeTier(tier).label)
    except ValueError:
        return tier


def _right(value: bool | None) -> str:
    return {True: _("đúng"), False: _("sai"), None: _("chưa chấm")}[value]


class RoundCheck:
    def __init__(self, *, round: Round, report: Report, contest_label: str):
        self.round = round
        self.report = report
        self.contest_label = contest_label
        self.label = round_label(round)
        self.section = f"{self.label} — {round.name}"

    def diff(self, message: str) -> None:
        self.report.add(self.contest_label, self.section, message)

    # --- the seal and the key to score with ---------------------------------------------------------

    def key(self) -> tuple[dict[str, str], dict | None]:
        """The right answer of each question code, from the sealed key file when its bytes still
        match the fingerprint, followed through its errata (quiz.errata: a broken chain, a file
        not matching its fingerprint or a change not recorded is a difference); otherwise from the
        bank, said as a difference."""
        round = self.round
        for problem in seal_verify(round):
            self.diff(_("%(round)s, niêm phong: %(problem)s") % {"round": self.label, "problem": problem})
        seal = RoundSeal.objects.filter(round_id=round.pk).values("key_file", "sha256").first()
        if seal is not None:
            self.report.checked["seals"] += 1
            data = bytes(seal["key_file"])
            if seal_fingerprint(data) == seal["sha256"]:
                try:
                    content = seal_parse(data)
                except SealFormatError:
                    content = None
                if content is not None:
                    # The key now: the seal's, then each erratum in the chain (quiz.errata).
                    answers, problems = errata_verify(round=round, seal_sha256=seal["sha256"], seal_content=content)
                    for problem in problems + self._errata_decided():
                        self.diff(_("%(round)s, đính chính đáp án: %(problem)s") % {"round": self.label, "problem": problem})
                    return answers, content
        answers = dict(
            Option.objects.filter(question__round_entries__round=round, is_correct=True).values_list("question__code", "letter")
        )
        if round.is_sealed or Attempt.objects.filter(round=round).exists():
            self.diff(
                _("%(round)s: không có tệp đáp án niêm phong đúng với mã niêm phong; bài thi được chấm lại theo đáp án "
                  "hiện có trong ngân hàng câu hỏi.") % {"round": self.label}
            )  # fmt: skip
        return answers, None

    def _errata_decided(self) -> list[str]:
        """Every erratum is a decision: one `erratum` decision about the round naming its new
        fingerprint (an erratum row written beside the service has none)."""
        stored = list(RoundErratum.objects.filter(round_id=self.round.pk).order_by("seq").values_list("seq", "sha256"))
        if not stored:
            return []
        decided = Decision.objects.filter(
            action=Decision.Action.ERRATUM, object_type="quiz.round", object_id=self.round.pk
        ).values_list("data__sha256", flat=True)
        decided = set(decided)
        return [
            _("Đính chính số %(n)d không có quyết định tương ứng trong nhật ký quyết định.") % {"n": seq}
            for seq, sha in stored
            if sha not in decided
        ]

    # --- attempts and their answers -----------------------------------------------------------------

    def attempts(self, answers: dict[str, str]) -> dict[int, AttemptFact]:
        round = self.round
        facts: dict[int, AttemptFact] = {}
        rows = (
            Attempt.objects.filter(round=round)
            .order_by()
            .values_list(
                "pk",
                "user_id",
                "organization_id",
                "status",
                "started_at",
                "deadline",
                "finished_at",
                "score",
                "question_count",
                "duration_ms",
                "prediction",
            )  # fmt: skip
            .iterator(chunk_size=CHUNK)
        )
        for row in rows:
            facts[row[0]] = AttemptFact(*row)
        if facts and not round.is_sealed:
            self.diff(
                _("%(round)s chưa được duyệt và niêm phong nhưng có %(n)s bài thi.")
                % {"round": self.label, "n": number(len(facts))}
            )
        # option id -> (question id, letter); question id -> code, its option ids, its field
        letter_of: dict[int, tuple[int, str]] = {}
        code_of: dict[int, str] = {}
        options_of: dict[int, set[int]] = defaultdict(set)
        field_of: dict[int, int] = {}
        field_names: dict[int, str] = {}
        for oid, qid, letter, code, field_id, field_name in Option.objects.filter(
            question__round_entries__round=round
        ).values_list("pk", "question_id", "letter", "question__code", "question__field_id", "question__field__name"):
            letter_of[oid] = (qid, letter)
            code_of[qid] = code
            options_of[qid].add(oid)
            field_of[qid], field_names[field_id] = field_id, field_name
        drawn: dict[int, Counter] = defaultdict(Counter)  # attempt id -> field id -> questions drawn
        items = (
            AttemptQuestion.objects.filter(attempt__round=round)
            .order_by()
            .values_list(
                "attempt_id", "question_id", "position", "option_ids", "option_count", "chosen_index", "answered_at", "is_correct"
            )  # fmt: skip
            .iterator(chunk_size=CHUNK)
        )
        for attempt_id, qid, position, option_ids, option_count, chosen, answered_at, stored in items:
            self.report.checked["answers"] += 1
            fact = facts[attempt_id]
            fact.items += 1
            where = _("%(round)s, bài thi #%(a)d, câu %(p)d") % {"round": self.label, "a": attempt_id, "p": position}
            code = code_of.get(qid)
            if code is None:
                self.diff(_("%(where)s: câu hỏi #%(q)d không thuộc bộ câu hỏi của tuần.") % {"where": where, "q": qid})
            else:
                drawn[attempt_id][field_of[qid]] += 1
                if code not in answers:
                    self.diff(
                        _("%(where)s (%(code)s): câu hỏi không có trong tệp đáp án niêm phong của tuần.")
                        % {"where": where, "code": code}
                    )
                if not isinstance(option_ids, list) or len(option_ids) != option_count or set(option_ids) != options_of[qid]:
                    self.diff(
                        _("%(where)s (%(code)s): thứ tự phương án đã lưu không phải một hoán vị các phương án của câu hỏi.")
                        % {"where": where, "code": code}
                    )
            counts = scoring.answer_counts(chosen_index=chosen, answered_at=answered_at, deadline=fact.deadline)
            letter = None
            if counts:
                if isinstance(option_ids, list) and 0 <= chosen < len(option_ids):
                    qid_letter = letter_of.get(option_ids[chosen])
                    letter = qid_letter[1] if qid_letter is not None and qid_letter[0] == qid else None
                else:
                    self.diff(_("%(where)s: phương án đã chọn số %(i)d không tồn tại.") % {"where": where, "i": chosen})
            # The key after the errata: letters ("AB" when two are accepted) or annulled ("*").
            right = code is not None and scoring.answer_right(key=answers.get(code), letter=letter, counts=counts)
            if fact.finished:
                fact.score += right
                if stored is not right:
                    self.diff(
                        _("%(where)s (%(code)s): lưu «%(stored)s», tính lại «%(now)s».")
                        % {"where": where, "code": code or "?", "stored": _right(stored), "now": _right(right)}
                    )
        # The time limit of the deadline rule (quiz.services.deadlines.attempt_time_allowed, with the
        # contestant's extra minutes): a deadline may be earlier (cut at the close), never later.
        extra = extra_minutes_by_user(round=round)
        for fact in facts.values():
            allowed = fact.started_at + attempt_time_allowed(round=round, extra_minutes=extra.get(fact.user_id, 0))
            if fact.deadline > allowed:
                self.diff(
                    _("%(round)s, bài thi #%(a)d: hạn nộp muộn hơn thời gian làm bài (kể cả giờ được cộng thêm) cho phép.")
                    % {"round": self.label, "a": fact.pk}
                )
            self._attempt(fact)
        self._draws(facts, drawn, field_of, field_names)
        return facts

    def _draws(self, facts: dict[int, AttemptFact], drawn: dict, field_of: dict[int, int], names: dict[int, str]) -> None:
        """Every attempt drew as many questions of each field as the round's allocation says (the
        rule itself, `quiz.services.round_allocation`, on the pool; a field short of questions
        gives all it has), and nothing from another field."""
        pool_by_field = Counter(field_of.values())
        allocation = round_allocation(round=self.round, pool_by_field=dict(pool_by_field))
        wanted = {fid: min(count, pool_by_field[fid]) for fid, count in allocation.items() if min(count, pool_by_field[fid])}

        def spell(counts) -> str:
            named = sorted((names.get(fid, f"#{fid}"), n) for fid, n in counts.items())
            return ", ".join(f"{name}: {n}" for name, n in named)

        for fact in facts.values():
            if not fact.items:
                continue  # no question rows at all: said by the count of questions drawn
            got = dict(drawn.get(fact.pk, {}))
            if got != wanted:
                self.diff(
                    _("%(round)s, bài thi #%(a)d: câu hỏi rút không theo cơ cấu đề của tuần (rút %(got)s; cơ cấu %(wanted)s).")
                    % {"round": self.label, "a": fact.pk, "got": spell(got), "wanted": spell(wanted)}
                )

    def _attempt(self, fact: AttemptFact) -> None:
        if not fact.finished:
            return
        self.report.checked["attempts"] += 1
        where = _("%(round)s, bài thi #%(a)d") % {"round": self.label, "a": fact.pk}
        if fact.stored_score != fact.score:
            self.diff(
                _("%(where)s: điểm lưu %(stored)s, tính lại %(now)d.")
                % {"where": where, "stored": "–" if fact.stored_score is None else fact.stored_score, "now": fact.score}
            )
        if fact.items != fact.question_count:
            self.diff(
                _("%(where)s: có %(items)d câu đã rút, bài thi ghi %(n)d câu.")
                % {"where": where, "items": fact.items, "n": fact.question_count}
            )
        if fact.finished_at is None:
            self.diff(_("%(where)s: đã kết thúc nhưng không có giờ kết thúc.") % {"where": where})
            return
        if not fact.started_at <= fact.finished_at <= fact.deadline:
            self.diff(_("%(where)s: giờ kết thúc nằm ngoài khoảng từ giờ bắt đầu đến hạn nộp.") % {"where": where})
        if fact.status == AttemptStatus.EXPIRED and fact.finished_at != fact.deadline:
            self.diff(_("%(where)s: hệ thống tự nộp nhưng giờ kết thúc khác hạn nộp.") % {"where": where})
        fact.duration_ms = scoring.duration_ms(started_at=fact.started_at, finished_at=fact.finished_at)
        if fact.stored_duration_ms != fact.duration_ms:
            self.diff(
                _("%(where)s: thời gian làm bài lưu %(stored)s ms, tính lại %(now)s ms.")
                % {"where": where, "stored": fact.stored_duration_ms, "now": fact.duration_ms}
            )

    # --- entries, ranking, prizes --------------------------------------------------------------------

    def entries(self, facts: dict[int, AttemptFact], key: dict | None) -> dict[int, AttemptFact]:
        round = self.round
        stored = {
            row[1]: row
            for row in RoundEntry.objects.filter(round=round).values_list(
                "pk",
                "user_id",
                "best_attempt_id",
                "score",
                "duration_ms",
                "finished_at",
                "prediction",
                "attempts_count",
                "disqualified",
            )  # fmt: skip
        }
        by_user: dict[int, list[AttemptFact]] = defaultdict(list)
        for fact in facts.values():
            if fact.finished and fact.finished_at is not None:
                by_user[fact.user_id].append(fact)
        out = {uid for uid, row in stored.items() if row[8]}
        n = round.questions_per_attempt
        prediction = ranking.uses_prediction(round)
        actual = None
        if prediction:
            actual = sum(1 for uid, attempts in by_user.items() if uid not in out and any(a.score == n for a in attempts))
            if round.full_score_actual is not None and round.full_score_actual != actual:
                self.diff(
                    _("%(round)s: số người đạt điểm tuyệt đối đã chốt %(stored)d, tính lại %(now)d.")
                    % {"round": self.label, "stored": round.full_score_actual, "now": actual}
                )
        # Under the prediction rule an entry keeps the best attempt against the count of full scores
        # of the moment it was recorded, until the count is frozen (prizes drafted): only then is
        # the choice among equal scores final and checked.
        exact = not prediction or round.full_score_actual is not None
        best: dict[int, AttemptFact] = {}
        for user_id, attempts in by_user.items():
            self.report.checked["entries"] += 1
            pick = ranking.best_attempt(attempts, rule=round.ranking_rule, actual=actual)
            best[user_id] = pick
            row = stored.get(user_id)
            who = _("%(round)s, thí sinh #%(u)d") % {"round": self.label, "u": user_id}
            if row is None:
                self.diff(_("%(who)s: có bài thi đã kết thúc nhưng không có kết quả (RoundEntry).") % {"who": who})
                continue
            _pk, _u, best_id, score, duration_ms, finished_at, prediction_value, count, _dq = row
            if best_id != pick.pk and exact:
                self.diff(
                    _("%(who)s: bài thi tốt nhất lưu #%(stored)d, tính lại #%(now)d.")
                    % {"who": who, "stored": best_id, "now": pick.pk}
                )
            shown = pick if exact else next((a for a in attempts if a.pk == best_id), None)
            if shown is None:
                self.diff(
                    _("%(who)s: bài thi tốt nhất lưu #%(stored)d không phải bài thi đã kết thúc của thí sinh.")
                    % {"who": who, "stored": best_id}
                )
                continue
            if not exact and shown.score != pick.score:
                self.diff(
                    _("%(who)s: điểm cao nhất lưu %(stored)d, tính lại %(now)d.")
                    % {"who": who, "stored": score, "now": pick.score}
                )
            values = {
                _("điểm"): (score, shown.score),
                _("thời gian làm bài (ms)"): (duration_ms, shown.duration_ms),
                _("giờ kết thúc"): (finished_at, shown.finished_at),
                _("dự đoán"): (prediction_value, shown.prediction),
                _("số bài thi"): (count, len(attempts)),
            }
            for name, (was, now) in values.items():
                if was != now:
                    self.diff(
                        _("%(who)s: %(name)s lưu %(stored)s, tính lại %(now)s.")
                        % {"who": who, "name": name, "stored": was, "now": now}
                    )
        for user_id in sorted(stored.keys() - by_user.keys()):
            self.diff(
                _("%(round)s, thí sinh #%(u)d: có kết quả nhưng không có bài thi nào đã kết thúc.")
                % {"round": self.label, "u": user_id}
            )
        ordered = sorted(
            (a for uid, a in best.items() if uid not in out),
            key=lambda a: ranking.attempt_key(a, rule=round.ranking_rule, actual=actual),
        )
        if exact and stored:
            self._leaderboard(ordered, actual)
        self._prizes(ordered, stored, key)
        return best

    def _leaderboard(self, ordered: list[AttemptFact], actual) -> None:
        """The leaderboard (the SQL order of the stored entries) against the recomputed order."""
        shown = list(ranking.ranked_entries(round=self.round, actual=actual).values_list("user_id", flat=True))
        mine = [a.user_id for a in ordered]
        if shown == mine:
            return
        at = next((i for i, (a, b) in enumerate(zip(shown, mine)) if a != b), min(len(shown), len(mine)))
        self.diff(
            _("%(round)s, bảng xếp hạng: hạng %(place)d là %(shown)s, tính lại %(now)s.")
            % {
                "round": self.label, "place": at + 1,
                "shown": _("thí sinh #%(u)d") % {"u": shown[at]} if at < len(shown) else "–",
                "now": _("thí sinh #%(u)d") % {"u": mine[at]} if at < len(mine) else "–",
            }
        )  # fmt: skip

    def _tiers(self, key: dict | None) -> list[str]:
        if key is not None:
            plan = key["round"]["prizes"]
            counts = [(PrizeTier.FIRST, plan["first"]), (PrizeTier.SECOND, plan["second"]), (PrizeTier.THIRD, plan["third"]),
                      (PrizeTier.CONSOLATION, plan["consolation"])]  # fmt: skip
        else:
            counts = self.round.prize_plan
        return [tier for tier, count in counts for _i in range(count)]

    def _min_score(self, key: dict | None) -> int:
        """The lowest score that may win a prize: the key file's when there is one (absent: none)."""
        if key is not None:
            return key["round"]["prizes"].get("min_score", 0)
        return self.round.prize_min_score

    def _prizes(self, ordered: list[AttemptFact], entries: dict[int, tuple], key: dict | None) -> None:
        """The prize list the lifecycle (contests.prizes) would hold for the recomputed ranking:
        tiers down the ranking, one per person, staff and inactive accounts skipped, prizes found
        not valid kept for the record and their holders skipped (the next one takes the tier)."""
        round = self.round
        stored = list(
            Prize.objects.filter(round=round).values_list("pk", "user_id", "entry_id", "tier", "rank", "status", "created_at")
        )
        published = round.results_published_at is not None
        tiers = self._tiers(key)
        minimum = self._min_score(key)
        if not stored and not (published and tiers):
            return
        invalid = {row[1] for row in stored if row[5] == PrizeStatus.INVALID}
        wanted: list[tuple[int, str, int]] = []  # (user, tier, place)
        position, batch = 0, max(50, 2 * len(tiers))
        # The ranking goes by score first: everyone from the first score below the minimum on is out.
        reach = next((i for i, fact in enumerate(ordered) if fact.score < minimum), len(ordered))
        while len(wanted) < len(tiers) and position < reach:
            chunk = ordered[position : min(position + batch, reach)]
            users = User.objects.in_bulk([a.user_id for a in chunk])
            for offset, fact in enumerate(chunk):
                user = users.get(fact.user_id)
                if user is None or not may_win_prize(user) or fact.user_id in invalid:
                    continue
                wanted.append((fact.user_id, tiers[len(wanted)], position + offset + 1))
                if len(wanted) == len(tiers):
                    break
            position += batch
        valid = {row[1]: row for row in stored if row[5] != PrizeStatus.INVALID}
        self.report.checked["prizes"] += len(stored)
        for user_id, tier, place in wanted:
            who = _("%(round)s, giải của thí sinh #%(u)d") % {"round": self.label, "u": user_id}
            row = valid.pop(user_id, None)
            if row is None:
                self.diff(
                    _("%(who)s: theo xếp hạng tính lại phải có %(tier)s (hạng %(place)d) nhưng không có trong danh sách giải.")
                    % {"who": who, "tier": tier_label(tier), "place": place}
                )
                continue
            _pk, _u, entry_id, stored_tier, rank, status, created_at = row
            if (stored_tier, rank) != (tier, place):
                self.diff(
                    _("%(who)s: lưu %(stored)s hạng %(rank)d, tính lại %(tier)s hạng %(place)d.")
                    % {"who": who, "stored": tier_label(stored_tier), "rank": rank, "tier": tier_label(tier), "place": place}
                )
            entry = entries.get(user_id)
            if entry is None or entry[0] != entry_id:
                self.diff(_("%(who)s: giải không gắn với kết quả của thí sinh trong tuần.") % {"who": who})
            if published and status == PrizeStatus.DRAFT and created_at <= round.results_published_at:
                self.diff(_("%(who)s: kết quả đã công bố nhưng giải chưa được xác minh.") % {"who": who})
        for user_id, row in valid.items():
            self.diff(
                _(
                    "%(round)s, giải của thí sinh #%(u)d: lưu %(tier)s hạng %(rank)d nhưng theo xếp hạng tính lại "
                    "thí sinh không đạt giải."
                )
                % {"round": self.label, "u": user_id, "tier": tier_label(row[3]), "rank": row[4]}
            )


def verify_receipts(check: RoundCheck) -> None:
    """Each finished attempt's receipt against the record rebuilt from its stored answers and
    times (so an answer changed after the finish is caught), and the round's commitment against
    the Merkle root of those receipts and of its own stored leaves (so a receipt recomputed after
    the close is caught too)."""
    round, label = check.round, check.label
    commitment = RoundCommitment.objects.filter(round_id=round.pk).first()
    with_receipt, receipts = 0, []
    # A chunk at a time: a national round's million records never all in memory (1.2 GB at a
    # tenth of that before), only their receipts.
    for attempt in (a for chunk in stored_attempts_chunks(round=round) for a in chunk):
        if not attempt.receipt:
            if commitment is not None:
                check.diff(_("%(round)s, bài thi #%(a)d: không có biên nhận.") % {"round": label, "a": attempt.pk})
            continue
        with_receipt += 1
        receipts.append(attempt.receipt)
        check.report.checked["receipts"] += 1
        if attempt.recomputed != attempt.receipt:
            check.diff(
                _("%(round)s, bài thi #%(a)d: biên nhận không khớp với các câu trả lời và thời gian đã lưu.")
                % {"round": label, "a": attempt.pk}
            )
    if commitment is None:
        published = round.results_published_at is not None or Prize.objects.filter(round=round).exists()
        if published and with_receipt:
            check.diff(_("%(round)s: đã lập danh sách giải nhưng chưa có mã kết quả.") % {"round": label})
        return
    check.report.checked["commitments"] += 1
    leaves = commitment_leaves(commitment)
    if merkle_root(leaves) != commitment.root or len(leaves) != commitment.leaf_count:
        check.diff(_("%(round)s: mã kết quả đã lưu không khớp với các biên nhận đã chốt cùng nó.") % {"round": label})
    now = merkle_root(receipts)
    if now != commitment.root:
        check.diff(
            _("%(round)s: mã kết quả đã công bố %(root)s, tính lại từ các biên nhận đang lưu %(now)s.")
            % {"round": label, "root": commitment.root, "now": now}
        )


def verify_round(*, round: Round, report: Report, contest_label: str) -> RoundFacts:
    check = RoundCheck(round=round, report=report, contest_label=contest_label)
    report.checked["rounds"] += 1
    answers, key = check.key()
    verify_seal_history(round=round, report=report, contest_label=contest_label, section=check.section, label=check.label)
    facts = check.attempts(answers)
    verify_receipts(check)
    result = RoundFacts(round=round, attempts=[f for f in facts.values() if f.finished])
    if round.kind != RoundKind.PRACTICE:
        result.best = check.entries(facts, key)
    return result
