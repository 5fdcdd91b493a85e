import datetime

import factory
from django.utils import timezone

from essays.enums import Eligibility, EssayStatus
from essays.models import Essay, EssayAuthor, EssayPhase, VotePrize
from tests.factories import ContestFactory, OrganizationFactory, ProfileFactory

BODY = " ".join(["Chi bộ luôn đi đầu trong mọi phong trào thi đua của cơ quan."] * 40)  # 400 words


class EssayPhaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EssayPhase

    contest = factory.SubFactory(ContestFactory)
    name = "Giai đoạn 1"
    opens_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=10))
    closes_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=30))
    min_words = 300
    max_words = 3000


class EssayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Essay
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"BV-2026-{n:04d}")
    phase = factory.SubFactory(EssayPhaseFactory)
    submitter = factory.LazyFunction(lambda: ProfileFactory().user)
    title = factory.Sequence(lambda n: f"Chi bộ kiểu mẫu số {n}")
    subject_kind = "collective"
    subject_name = "Chi bộ Phòng Tổng hợp"
    subject_organization = factory.SubFactory(OrganizationFactory)
    body = BODY
    declares_real = True
    declares_unpublished = True

    @factory.post_generation
    def with_author(self, create, extracted, **kwargs):
        if create:
            # bulk_create: a factory may build an essay already screened, whose authors are frozen
            # (essays.freeze) for every path but this setup.
            EssayAuthor.objects.bulk_create([
                EssayAuthor(essay=self, name=self.submitter.full_name, organization=self.subject_organization, phone="0912345678")
            ])  # fmt: skip


def vote_prize(contest, *, title="Người giữ rừng «Púng Luông»", co_author="Hà Thị Mai", phase_name="Giai đoạn 2"):
    """A published essay of the contest (the submitter and a co-author of another unit) with the
    readers' vote prize of its phase, as `essays.votes.vote_prize_draft` leaves it."""
    now = timezone.now()
    essay = EssayFactory(
        phase__contest=contest, phase__name=phase_name, phase__vote_enabled=True, phase__vote_prize=True,
        phase__vote_opens_at=now - datetime.timedelta(days=9), phase__vote_closes_at=now - datetime.timedelta(days=1),
        title=title, status=EssayStatus.SUBMITTED, eligibility=Eligibility.ELIGIBLE, published_at=now,
    )  # fmt: skip
    EssayAuthor.objects.bulk_create([EssayAuthor(essay=essay, name=co_author, organization=OrganizationFactory(), order=2)])
    return VotePrize.objects.create(phase=essay.phase, essay=essay, votes=412)
