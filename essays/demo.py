"""Demo data for the writing contest: a phase with ~30 essays from ~15 units, screened, a
semi-final round fully scored by the three demo judges, a final round in progress."""

import datetime
import random

from django.utils import timezone

from accounts.models import User

from . import judging, services
from . import selectors as essay_selectors
from .enums import Eligibility, IneligibleReason
from .models import Criterion, Essay, EssayPhase, EssayVote, JudgingRound, PanelMember
from .votes import vote_day

UNITS = ["VPUB", "CDYB", "BAOYB", "DPTTH", "SVHTTDL", "CTHUE", "DIENLUC", "VNPT", "AGRI-BYB", "SYT", "BVDK", "SLDTBXH",
         "XMYB", "KBNN", "BHXH"]  # fmt: skip
SUBJECTS = [
    ("collective", "Chi bộ Phòng Tổng hợp", "Chi bộ {u} – điểm sáng xây dựng chi bộ kiểu mẫu"),
    ("individual", "Đồng chí Nguyễn Văn Thành", "Người bí thư chi bộ tận tụy của {u}"),
    ("collective", "Chi bộ Trung tâm Điều hành thông minh", "Chuyển đổi số từ chi bộ: câu chuyện ở {u}"),
    ("individual", "Đồng chí Hoàng Thị Thu", "Đảng viên trẻ và khát vọng cống hiến ở {u}"),
    ("collective", "Chi bộ Khoa Sư phạm", "Nơi mỗi đảng viên là một tấm gương: {u}"),
]
OPENINGS = [
    "Trong những năm qua, chi bộ luôn coi trọng việc nâng cao chất lượng sinh hoạt, giữ vững nguyên tắc tập trung dân chủ.",
    "Nhắc đến phong trào thi đua của đơn vị, cán bộ, người lao động đều nhớ ngay đến những đảng viên đi đầu.",
    "Xây dựng chi bộ kiểu mẫu không phải là khẩu hiệu mà là việc làm cụ thể hằng ngày của từng đảng viên.",
]
SENTENCES = [
    "Mỗi kỳ sinh hoạt, chi ủy chuẩn bị nội dung kỹ lưỡng, gắn với nhiệm vụ chính trị của cơ quan.",
    "Đảng viên được phân công nhiệm vụ rõ ràng, có kiểm tra, đôn đốc và đánh giá kết quả hằng tháng.",
    "Việc học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh được cụ thể hóa bằng những việc làm thiết thực.",
    "Nhiều sáng kiến cải tiến lề lối làm việc đã giúp rút ngắn thời gian giải quyết hồ sơ cho người dân và doanh nghiệp.",
    "Tinh thần tự phê bình và phê bình được phát huy, các ý kiến đóng góp đều được lắng nghe, tiếp thu.",
    "Chi bộ quan tâm bồi dưỡng quần chúng ưu tú, giới thiệu để kết nạp vào Đảng những người tiêu biểu.",
    "Người đứng đầu luôn gương mẫu, nói đi đôi với làm, tạo được niềm tin trong tập thể.",
    "Những buổi sinh hoạt chuyên đề về trách nhiệm nêu gương đã tạo chuyển biến rõ rệt trong nhận thức của đảng viên.",
    "Phong trào dân vận khéo được triển khai sâu rộng, gắn bó mật thiết với nhân dân nơi cư trú.",
    "Các tổ chức đoàn thể hoạt động sôi nổi dưới sự lãnh đạo toàn diện của chi bộ.",
    "Kết quả đánh giá, xếp loại chất lượng hằng năm của chi bộ đều đạt hoàn thành xuất sắc nhiệm vụ.",
    "Đồng chí luôn sẵn sàng nhận những việc khó, đến những nơi khó khăn nhất để hoàn thành nhiệm vụ được giao.",
    "Từ những việc nhỏ nhất như tiết kiệm điện, nước, văn phòng phẩm, chi bộ đã xây dựng thói quen tiết kiệm trong cơ quan.",
    "Ứng dụng công nghệ thông tin trong quản lý đảng viên giúp việc theo dõi, đánh giá trở nên minh bạch, kịp thời.",
]
HEADINGS = ["## Giữ vững nền nếp sinh hoạt", "## Đi đầu trong nhiệm vụ chính trị", "## Lan tỏa những việc làm tốt"]


def _body(rng: random.Random) -> str:
    parts = [rng.choice(OPENINGS)]
    for heading in HEADINGS:
        parts.append(heading)
        for _ in range(3):
            parts.append(" ".join(rng.sample(SENTENCES, 5)))
    return "\n\n".join(parts)


def seed_essays(*, contest, users, units) -> None:
    now = timezone.now().replace(second=0, microsecond=0)
    phase, created = EssayPhase.objects.get_or_create(
        contest=contest, name="Giai đoạn nhận bài",
        defaults={"opens_at": now - datetime.timedelta(days=60), "closes_at": now + datetime.timedelta(days=45),
                  "min_words": 300, "max_words": 3000},
    )  # fmt: skip
    if not created:
        return
    rng = random.Random(2023)
    submitters = list(User.objects.filter(email__startswith="thisinh").order_by("email")) + [users["contestant"]]
    essays = []
    for n in range(30):
        unit = units[UNITS[n % len(UNITS)]]
        kind, subject, title = SUBJECTS[n % len(SUBJECTS)]
        submitter = submitters[n % len(submitters)]
        profile = submitter.profile
        essay = services.essay_save(
            essay=None, phase=phase, submitter=submitter,
            authors=[{"name": submitter.full_name, "organization": profile.organization, "phone": profile.phone}],
            title=title.format(u=unit.short_name or unit.name), subject_kind=kind, subject_name=subject,
            subject_organization=unit, body=_body(rng), declares_real=True, declares_unpublished=True,
        )  # fmt: skip
        if n < 28:
            essay = services.essay_submit(essay=essay, user=submitter, without_attachment=True)
        essays.append(essay)
    reasons = [[IneligibleReason.NOT_REAL], [IneligibleReason.PUBLISHED], [IneligibleReason.OFF_THEME, IneligibleReason.LENGTH]]
    for n, essay in enumerate(essays[:26]):
        ineligible = n % 7 == 6
        services.essay_screen(
            essay=essay, by=users["secretariat"], eligible=not ineligible, reasons=reasons[n % 3] if ineligible else [],
            note="Bài viết chưa đáp ứng thể lệ." if ineligible else "",
        )  # fmt: skip

    judges = [users["judge1"], users["judge2"], users["judge3"]]
    judge_units = [units["BAOYB"], units["DPTTH"], None]
    semi = JudgingRound.objects.create(phase=phase, name="Vòng sơ khảo", order=1)
    final = JudgingRound.objects.create(phase=phase, name="Vòng chung khảo", order=2)
    for round in (semi, final):
        for i, (name, max_points, weight) in enumerate(judging.default_rubric()):
            Criterion.objects.create(round=round, name=name, max_points=max_points, weight=weight, order=i)
        for judge, unit in zip(judges, judge_units):
            PanelMember.objects.create(round=round, judge=judge, organization=unit)
    judging.round_fill_from_screening(round=semi)
    judging.round_assign(round=semi)
    quality = {e.pk: rng.randint(10, 19) for e in essays}
    for sheet in semi.assignments.select_related("judge"):
        strictness = judges.index(sheet.judge) - 1  # judge1 lenient, judge3 strict
        points = {
            c.pk: max(0, min(c.max_points, quality[sheet.essay_id] - strictness + rng.randint(-1, 1)))
            for c in semi.criteria.all()
        }
        judging.sheet_save(
            assignment=sheet, judge=sheet.judge, points=points, comment="Bài viết có nhiều chi tiết sinh động.", submit=True
        )
    judging.round_close(round=semi)
    shortlist = essay_selectors.advance_preview(round=semi, top_k=12)
    judging.round_advance(round=semi, to=final, essay_ids=[r.essay.pk for r in shortlist])
    judging.round_assign(round=final)
    for sheet in final.assignments.select_related("judge").filter(judge=users["judge1"]):
        points = {c.pk: min(c.max_points, quality[sheet.essay_id] + 1) for c in final.criteria.all()}
        judging.sheet_save(assignment=sheet, judge=sheet.judge, points=points, comment="", submit=True)
    seed_votes(phase=phase, essays=essays, users=users, rng=rng, now=now)


def seed_votes(*, phase, essays, users, rng, now) -> None:
    """The public's vote («bình chọn», essays.votes): six eligible essays published, the vote open
    for a fortnight with its own prize, a few days of votes from demo readers whose sign-in number
    is verified (each one vote per essay and day, as the rule allows)."""
    eligible = Essay.objects.filter(pk__in=[e.pk for e in essays], eligibility=Eligibility.ELIGIBLE).order_by("pk")
    published = list(eligible.select_related("phase")[:6])
    for essay in published:
        services.essay_publish(essay=essay, by=users["organizer"])
    phase.vote_enabled, phase.vote_prize = True, True
    phase.vote_opens_at, phase.vote_closes_at = now - datetime.timedelta(days=3), now + datetime.timedelta(days=11)
    phase.save(update_fields=["vote_enabled", "vote_prize", "vote_opens_at", "vote_closes_at"])
    readers = list(User.objects.filter(email__startswith="thisinh").select_related("profile").order_by("email")[:12])
    for reader in readers:
        if not reader.phone and not User.objects.filter(phone=reader.profile.phone).exists():
            reader.phone, reader.phone_verified = reader.profile.phone, True
            reader.save(update_fields=["phone", "phone_verified"])
    votes = []
    for days_ago in (2, 1):
        at = now - datetime.timedelta(days=days_ago)
        for n, essay in enumerate(published):
            for reader in readers[: max(1, 10 - 2 * n + rng.randint(-1, 1))]:
                if reader.phone:
                    moment = at + datetime.timedelta(minutes=rng.randint(0, 600))
                    votes.append(
                        EssayVote(
                            essay=essay,
                            voter=reader,
                            phone=reader.phone,
                            day=vote_day(moment),
                            ip_address=f"10.{n}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
                            created_at=moment,
                        )
                    )
    EssayVote.objects.bulk_create(votes, ignore_conflicts=True)
