"""A whole contest at the seed's scale, for load and report work (simulate_contest).

Rows are bulk-created for speed but valid: every attempt is finished, scored, inside its round's
window and belongs to a contestant with a complete profile; each contestant's best attempt is in
RoundEntry, picked by the same rule as real ones (quiz.ranking); prizes are drafted by the same
service the organizers use. Each round is sealed through `quiz.seal.seal_record` once its pool (and,
for the last week, a blueprint) is built; each attempt's questions are drawn by the real draw
(`quiz.services.attempts.attempt_draw`: the blueprint, or every field in proportion, from the sealed pool) and its
deadline is the real one (`quiz.services.deadlines.attempt_deadline`). Each attempt stores its drawn
questions (AttemptQuestion: the shuffled option order, the chosen index, when it was answered,
whether it was right) consistent with its score, so `verify_results` recomputes every simulated
figure from the answers and the key file, and checks every draw against the round's allocation."""

import datetime
import io
import random
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection, reset_queries, transaction
from django.utils import timezone

from accounts.demo import DEMO_PASSWORD, seed_organizations
from accounts.enums import OrganizationKind, Role
from accounts.models import Organization, Profile, User
from contests.decisions import Action, decision_record
from contests.enums import ContestStatus
from contests.models import Contest
from quiz import ranking
from quiz.enums import AttemptStatus, RoundKind
from quiz.figures import figures_recompute
from quiz.models import Attempt, AttemptQuestion, BlueprintItem, Field, Option, Question, Round, RoundQuestion
from quiz.receipts import receipt_stamp
from quiz.seal import seal_record
from quiz.services.attempts import attempt_draw
from quiz.services.deadlines import attempt_deadline
from quiz.services.prizes import round_prizes_draft

# The seed's weeks (domain.md): participants, attempts, share of attempts at 20/20 and at 19/20.
WEEKS = [(2076, 6586, 0.132, 0.30), (2256, 8838, 0.172, 0.32), (2470, 10759, 0.064, 0.22), (2270, 6696, 0.080, 0.18)]
POOLS = [40, 40, 100, 200]
# The last week draws to a blueprint (questions per field, in the bank's field order); the others
# draw every field in proportion to its share of the pool.
BLUEPRINT = [6, 5, 4, 3, 2]
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Hà", "Triệu", "Lò"]
MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Thu", "Hồng", "Quang", "Thanh", "Ngọc", "Xuân", "Hải", "Kim"]
GIVEN = ["An", "Bình", "Cường", "Dung", "Giang", "Hà", "Hải", "Hạnh", "Hiếu", "Hoa", "Hùng", "Hương", "Khánh", "Lan",
         "Linh", "Long", "Mai", "Nam", "Nga", "Ngọc", "Phong", "Phương", "Quân", "Quỳnh", "Sơn", "Tâm", "Thảo", "Thắng",
         "Trang", "Tuấn"]  # fmt: skip


@dataclass
class SimulationReport:
    units: int
    contestants: int
    attempts: int
    entries: int
    prizes: int
    essays: int
    seconds: float


def unit_target(scale: float) -> int:
    """How many grassroots units a simulated contest has: the seed's 100 up to scale 1, then growing
    with the square root of the scale (about 1,000 at scale 100, a national contest's spread)."""
    return max(100, int(100 * scale**0.5))


def _units(rng: random.Random, target: int) -> list[Organization]:
    units = seed_organizations()
    bloc = units["DUK"]
    grassroots = list(Organization.objects.filter(kind=OrganizationKind.GRASSROOTS))
    for n in range(len(grassroots) + 1, target + 1):
        org, _ = Organization.objects.get_or_create(
            code=f"SIM-{n:03d}",
            defaults={"name": f"Đảng bộ Doanh nghiệp số {n}", "kind": OrganizationKind.GRASSROOTS, "parent": bloc,
                      "member_count": rng.randint(30, 400)},
        )  # fmt: skip
        grassroots.append(org)
    return list(Organization.objects.exclude(kind=OrganizationKind.BLOC))


def _contestants(rng, units, count, tag) -> tuple[list[int], dict[int, int]]:
    """`count` contestants with complete profiles, written in chunks (scale 100 makes 900,000): their
    ids, and each one's unit. Only the ids are kept, never the model instances."""
    password = make_password(DEMO_PASSWORD)
    # Some units push their members, most do not: a skewed weight per unit, as the seed reported.
    weights = [rng.paretovariate(1.2) for _ in units]
    names = [f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}" for _ in range(count)]
    for start in range(0, count, CHUNK):
        User.objects.bulk_create(
            [User(email=f"sim{tag}-{n}@example.com", full_name=names[n], password=password)
             for n in range(start, min(count, start + CHUNK))],
            batch_size=5000,
        )  # fmt: skip
    del names
    ids = list(User.objects.filter(email__startswith=f"sim{tag}-").order_by("pk").values_list("pk", flat=True))
    chosen = [unit.pk for unit in rng.choices(units, weights=weights, k=len(ids))]
    contestant = Group.objects.get_or_create(name=Role.CONTESTANT)[0]
    membership = User.groups.through
    for start in range(0, len(ids), CHUNK):
        chunk = range(start, min(len(ids), start + CHUNK))
        Profile.objects.bulk_create(
            [Profile(user_id=ids[i], phone=f"09{rng.randint(0, 99_999_999):08d}", organization_id=chosen[i],
                     position="Chuyên viên", is_party_member=rng.random() < 0.7) for i in chunk],
            batch_size=5000,
        )  # fmt: skip
        membership.objects.bulk_create([membership(user_id=ids[i], group_id=contestant.pk) for i in chunk], batch_size=5000)
    return ids, dict(zip(ids, chosen))


def _bank(rng, tag) -> list[Question]:
    names = ("Điều lệ Đảng", "Quy định 37-QĐ/TW", "Nghị quyết Trung ương 4", "Chỉ thị 05-CT/TW", "Quy định 08-QĐi/TW")
    fields = [Field.objects.get_or_create(name=name)[0] for name in names]
    questions = Question.objects.bulk_create(
        [
            Question(code=f"SIM{tag}-{n:03d}", field=fields[n % 5], text=f"Câu hỏi mô phỏng số {n}", status="approved")
            for n in range(250)
        ]
    )
    Option.objects.bulk_create(
        [Option(question=q, letter=letter, text=f"Phương án {letter}", is_correct=letter == "ABCD"[n % 4])
         for n, q in enumerate(questions) for letter in "ABCD"]
    )  # fmt: skip
    return questions


def _right_options(bank: list[Question]) -> dict[int, int]:
    """Each question of the bank: the id of its right option."""
    return dict(Option.objects.filter(question__in=bank, is_correct=True).values_list("question_id", "pk"))


# Attempts are made, written and answered this many at a time, so a season of any size streams
# through a constant amount of memory.
CHUNK = 10_000
# A writing contest does not grow with the quiz: past ten times the seed's 130 essays, more would
# only slow the judging rounds the simulation plays.
ESSAY_SCALE_MAX = 10

ITEM_COLUMNS = (
    "attempt_id", "question_id", "position", "option_ids", "option_count", "chosen_index", "answered_at", "is_correct",
)  # fmt: skip


def _answers(rng: random.Random, attempts: list[Attempt], draws: list[list], pool: list[int], right_option: dict) -> list:
    """The answers of the simulated attempts, as the page saves them, and each attempt's receipt
    as it finishes (`quiz.receipts.receipt_stamp`, set on the unsaved attempt): each attempt's
    questions and option order as the draw gave them (`draws`, one per attempt); exactly `score`
    of them answered right, the others answered wrong or left blank, every answer saved between
    the start and the finish. Returns, per attempt, its (question, option ids, chosen index,
    saved at, right) rows. A separate random stream, so the attempts themselves are those of a
    seed before the rows existed."""
    # Questions differ in how easy they are (so the item analysis has something to find): which
    # of an attempt's questions are the right ones is drawn weighted by their ease, from a
    # spread of 0.15 (hard) to 6 (easy) across the pool (Efraimidis–Spirakis: the `score` largest
    # keys u^(1/w) are a weighted sample without replacement).
    ease = {qid: 0.15 + 5.85 * ((i * 37) % len(pool)) / max(1, len(pool) - 1) for i, qid in enumerate(pool)}
    answered = []
    for attempt, drawn in zip(attempts, draws):
        keys = [rng.random() ** (1 / ease[qid]) for qid, _ids in drawn]
        right = set(sorted(range(attempt.question_count), key=keys.__getitem__, reverse=True)[: attempt.score])
        rows = []
        for position, (question_id, option_ids) in enumerate(drawn):
            correct_index = option_ids.index(right_option[question_id])
            if position in right:
                chosen = correct_index
            elif rng.random() < 0.15:
                chosen = None
            else:
                chosen = (correct_index + rng.randint(1, len(option_ids) - 1)) % len(option_ids)
            answered_at = None
            if chosen is not None:
                answered_at = attempt.started_at + datetime.timedelta(milliseconds=rng.randint(0, attempt.duration_ms))
            rows.append((question_id, option_ids, chosen, answered_at, chosen == correct_index))
        receipt_stamp(attempt, rows=[row[:4] for row in rows])
        answered.append(rows)
    return answered


def _items_write(attempts: list[Attempt], answered: list) -> None:
    """Write the AttemptQuestion rows of saved attempts (`_answers`' rows, one list per attempt).
    On PostgreSQL with COPY: 660,000 rows through bulk_create spend most of their time building
    SQL in Python (about 40 s at full scale), COPY takes a few."""
    rows = [
        (attempt.pk, qid, position, option_ids, len(option_ids), chosen, at, right)
        for attempt, items in zip(attempts, answered, strict=True)
        for position, (qid, option_ids, chosen, at, right) in enumerate(items, start=1)
    ]
    if connection.vendor != "postgresql":
        AttemptQuestion.objects.bulk_create([AttemptQuestion(**dict(zip(ITEM_COLUMNS, row))) for row in rows], batch_size=5000)
        return
    null = "\\N"
    buffer = io.StringIO()
    for attempt_id, question_id, position, option_ids, count, chosen, answered_at, is_correct in rows:
        fields = (
            attempt_id, question_id, position, f"[{', '.join(map(str, option_ids))}]", count, null if chosen is None else chosen,
            null if answered_at is None else answered_at.isoformat(), "t" if is_correct else "f",
        )  # fmt: skip
        buffer.write("\t".join(map(str, fields)) + "\n")
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.cursor.copy_from(buffer, AttemptQuestion._meta.db_table, columns=ITEM_COLUMNS)


def simulate_contest(*, scale: float = 1.0, seed: int = 2022, weeks=None, out=None) -> SimulationReport:
    """A whole contest at `scale` times the seed's size (0.01 … 100), streamed: attempts are made,
    written and answered CHUNK at a time (COPY on PostgreSQL), so memory stays flat whatever the
    scale. `weeks`: the numbers of the weeks to fill with attempts (all by default; the others are
    made and sealed but left without attempts — a benchmark of one national-size round need not
    wait for the season). `out`, if given, is called with a line of progress after each round."""
    started = timezone.now()
    rng = random.Random(seed)
    tag = f"{seed}{int(started.timestamp())}"
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Foreign keys checked as each chunk is written, not queued to the commit: 66 million
            # answers at scale 100 would hold as many pending checks in the server's memory.
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        units = _units(rng, target=unit_target(scale))
        people, unit_of = _contestants(rng, units, max(20, int(9000 * scale)), tag)
        contest = Contest.objects.create(
            name=f"Cuộc thi mô phỏng (quy mô {scale:g}, hạt giống {seed})", slug=f"mo-phong-{tag}",
            theme="Đảng viên tốt, chi bộ kiểu mẫu", starts_on=timezone.localdate() - datetime.timedelta(days=40),
            ends_on=timezone.localdate() + datetime.timedelta(days=30), status=ContestStatus.PUBLISHED,
        )  # fmt: skip
        bank = _bank(rng, tag)
        right_option = _right_options(bank)
        week_one_pool = bank[:40]
        pools = [week_one_pool, bank[40:80], bank[80:130] + week_one_pool[:40] + bank[130:140], bank[50:250]]
        attempts_total = entries_total = prizes_total = 0
        for number, ((participants, attempts, full_share, near_share), pool) in enumerate(zip(WEEKS, pools), start=1):
            opens = timezone.now() - datetime.timedelta(days=40 - 8 * number)
            round = Round.objects.create(
                contest=contest, kind=RoundKind.WEEKLY, number=number, name=f"Tuần thi thứ {number}", opens_at=opens,
                closes_at=opens + datetime.timedelta(days=7), approved_at=opens - datetime.timedelta(days=1),
                prizes_first=1, prizes_second=2, prizes_third=3, prizes_consolation=10,
                # The seed contest set no pace; its attempts (up to several a day per person) are what we replay.
                attempts_per_day=None, min_start_interval_minutes=None,
            )  # fmt: skip
            pool_ids = [q.pk for q in pool[: POOLS[number - 1]]]
            RoundQuestion.objects.bulk_create([RoundQuestion(round=round, question_id=pk) for pk in pool_ids])
            if number == len(WEEKS):
                fields = sorted({q.field_id for q in bank})
                BlueprintItem.objects.bulk_create(
                    [BlueprintItem(round=round, field_id=fid, count=count) for fid, count in zip(fields, BLUEPRINT)]
                )
            # Sealed as round_approve seals: the key file of the pool, stored once with its fingerprint.
            seal = seal_record(round=round, at=round.approved_at)
            decision_record(action=Action.SEAL, obj=round, data={"sha256": seal.sha256}, at=round.approved_at)
            n_people = max(5, int(participants * scale))
            n_attempts = max(n_people, int(attempts * scale)) if weeks is None or number in weeks else 0
            players = rng.sample(people, min(n_people, len(people)))
            # The real draw on the sealed pool (read once into memory), seeded for a repeatable run.
            draw_rng = random.Random(seed * 1_000_033 + number)
            answer_rng = random.Random(seed * 1_000_003 + number)
            n = round.questions_per_attempt
            for first in range(0, n_attempts, CHUNK):
                rows, draws = [], []
                for i in range(first, min(n_attempts, first + CHUNK)):
                    user_id = players[i] if i < len(players) else rng.choice(players)
                    roll = rng.random()
                    score = (
                        n if roll < full_share else n - 1 if roll < full_share + near_share
                        else max(0, n - 2 - int(rng.expovariate(0.35)))
                    )  # fmt: skip
                    start = opens + datetime.timedelta(seconds=rng.randint(0, 7 * 86400 - 1200))
                    # The Monday-morning rush: a third of the attempts start in the first hours.
                    if rng.random() < 0.33:
                        start = opens + datetime.timedelta(seconds=rng.randint(0, 4 * 3600))
                    deadline = attempt_deadline(round=round, started_at=start)
                    # Never longer than the time allowed: an attempt ends at its deadline at the latest.
                    seconds = min(
                        int((deadline - start).total_seconds()),
                        max(17, int(rng.lognormvariate(4.6 if score == n else 5.0, 0.6))),
                    )
                    drawn = attempt_draw(round=round, rng=draw_rng)
                    address = f"10.{rng.randint(0, 255)}.0.{rng.randint(1, 254)}"
                    rows.append(Attempt(round=round, user_id=user_id, organization_id=unit_of[user_id],
                                        status=AttemptStatus.SUBMITTED, started_at=start, deadline=deadline,
                                        finished_at=start + datetime.timedelta(seconds=seconds), score=min(score, len(drawn)),
                                        question_count=len(drawn), duration_ms=seconds * 1000, ip_address=address))  # fmt: skip
                    draws.append(drawn)
                answered = _answers(answer_rng, rows, draws, pool_ids, right_option)
                Attempt.objects.bulk_create(rows, batch_size=5000)
                _items_write(rows, answered)
                # With DEBUG on (the default outside production), Django keeps the last 9,000
                # queries' SQL, each bulk INSERT's megabyte included: memory would grow to gigabytes.
                reset_queries()
                attempts_total += len(rows)
            # Each contestant's best attempt is picked by the one ranking rule (quiz.ranking).
            entries = ranking.entries_rebuild(round=round)
            prizes_total += len(round_prizes_draft(round=round))
            entries_total += entries
            if out is not None:
                elapsed = (timezone.now() - started).total_seconds()
                out(f"{round.name}: {n_attempts} bài thi, {entries} lượt người ({elapsed:.0f} s)")
        essays = max(10, int(130 * min(scale, ESSAY_SCALE_MAX)))
        essays_total = simulate_essays(contest=contest, rng=rng, people=people, count=essays, tag=tag)
    if connection.vendor == "postgresql":
        # Fresh statistics for the planner, as after any bulk load: without them it takes a round
        # of a million entries for ninety rows and the leaderboard's query takes 6 s, not 13 ms.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE quiz_attempt, quiz_attemptquestion, quiz_roundentry, accounts_user, accounts_profile")
    # The figures the pages read, counted from the attempts just made (quiz.figures).
    figures_recompute(contest=contest)
    seconds = (timezone.now() - started).total_seconds()
    return SimulationReport(len(units), len(people), attempts_total, entries_total, prizes_total, essays_total, seconds)


def simulate_essays(*, contest, rng: random.Random, people: list[int], count: int, tag: str) -> int:
    """~130 essays from 50+ units, screened (a fifth not eligible), a semi-final scored by three
    of five judges each, the best 30 in a final scored by all five, prizes awarded."""
    from essays import judging
    from essays import selectors as essay_selectors
    from essays.enums import AssignmentMode, Eligibility, EssayStatus, IneligibleReason, SheetStatus
    from essays.models import Assignment, Criterion, Essay, EssayAuthor, EssayPhase, JudgingRound, PanelMember, Score

    now = timezone.now()
    phase = EssayPhase.objects.create(contest=contest, name="Giai đoạn mô phỏng", opens_at=now - datetime.timedelta(days=60),
                                      closes_at=now - datetime.timedelta(days=20), min_words=300)  # fmt: skip
    writers = rng.sample(people, min(count, len(people)))
    units = dict(Profile.objects.filter(user__in=writers).values_list("user_id", "organization_id"))
    names = dict(User.objects.filter(pk__in=writers).values_list("pk", "full_name"))
    essays = Essay.objects.bulk_create(
        [Essay(code=f"MP{tag[-6:]}-{n:04d}", phase=phase, submitter_id=w, title=f"Bài viết mô phỏng số {n}",
               subject_kind="collective", subject_name="Chi bộ kiểu mẫu", subject_organization_id=units[w],
               body="Nội dung bài viết. " * 200, declares_real=True, declares_unpublished=True, status=EssayStatus.SUBMITTED,
               submitted_at=now - datetime.timedelta(days=30),
               eligibility=Eligibility.INELIGIBLE if rng.random() < 0.2 else Eligibility.ELIGIBLE)
         for n, w in enumerate(writers, start=1)]
    )  # fmt: skip
    Essay.objects.filter(phase=phase, eligibility=Eligibility.INELIGIBLE).update(screening_reasons=[IneligibleReason.LENGTH])
    EssayAuthor.objects.bulk_create([EssayAuthor(essay=e, name=names[e.submitter_id], organization_id=units[e.submitter_id],
                                                 phone="0912345678") for e in essays])  # fmt: skip
    judges = list(
        User.objects.bulk_create([User(email=f"simjudge{tag}-{n}@example.com", full_name=f"Giám khảo {n}") for n in range(5)])
    )
    Group.objects.get_or_create(name=Role.JUDGE)[0].user_set.add(*judges)
    semi = JudgingRound.objects.create(
        phase=phase, name="Vòng sơ khảo", order=1, assignment_mode=AssignmentMode.PER_ESSAY, judges_per_essay=3
    )
    final = JudgingRound.objects.create(phase=phase, name="Vòng chung khảo", order=2)
    for round in (semi, final):
        for i, (name, max_points, weight) in enumerate(judging.default_rubric()):
            Criterion.objects.create(round=round, name=name, max_points=max_points, weight=weight, order=i)
        PanelMember.objects.bulk_create([PanelMember(round=round, judge=j) for j in judges])
    quality = {e.pk: rng.gauss(14, 3) for e in essays}

    def score(round):
        criteria = list(round.criteria.all())
        sheets = list(Assignment.objects.filter(round=round))
        Score.objects.bulk_create(
            [Score(assignment=a, criterion=c, points=max(0, min(c.max_points, round_int(quality[a.essay_id] + rng.gauss(0, 2)))))
             for a in sheets for c in criteria]
        )  # fmt: skip
        Assignment.objects.filter(round=round).update(status=SheetStatus.SUBMITTED, submitted_at=now)
        judging.round_close(round=round)

    judging.round_fill_from_screening(round=semi)
    judging.round_assign(round=semi)
    score(semi)
    shortlist = essay_selectors.advance_preview(round=semi, top_k=30)
    judging.round_advance(round=semi, to=final, essay_ids=[r.essay.pk for r in shortlist])
    judging.round_assign(round=final)
    score(final)
    secretary, _ = User.objects.get_or_create(
        email=f"simsecretary{tag}@example.com", defaults={"full_name": "Tổ Thư ký mô phỏng"}
    )
    for prize in judging.prizes_award(round=final):
        judging.prize_verify(prize=prize, by=secretary, valid=True, note="Đã xác minh")
    judging.prizes_publish(round=final)
    return len(essays)


def round_int(value: float) -> int:
    return int(value + 0.5)
