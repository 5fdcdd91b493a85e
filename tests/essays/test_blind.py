"""Blind judging: the judge's pages get a projection, never the essay with its relations."""

import pytest
from django.core.files.base import ContentFile
from django.db.models import Model
from django.urls import reverse

from accounts.enums import Role
from essays import judging, selectors
from essays.enums import Eligibility, EssayStatus
from essays.models import Assignment, Criterion, EssayAuthor, EssayFile, JudgingRound, PanelMember
from tests.essays import samples
from tests.essays.factories import EssayFactory
from tests.factories import OrganizationFactory, ProfileFactory, UserFactory, staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def sheet(db):
    submitter = ProfileFactory(
        user=UserFactory(full_name="Trần Văn Bút", email="tran.van.but@example.com"),
        phone="0987654321",
        organization=OrganizationFactory(name="Đảng bộ Cục Thuế tỉnh"),
    ).user
    essay = EssayFactory(
        submitter=submitter,
        status=EssayStatus.SUBMITTED,
        eligibility=Eligibility.ELIGIBLE,
        subject_organization=OrganizationFactory(name="Chi bộ Phòng Kiểm tra"),
        subject_name="Đồng chí Lò Thị Mai",
    )
    EssayAuthor.objects.filter(essay=essay).update(phone="0987654321")
    # bulk_create: the essay is screened, its authors and files are frozen for every other path.
    union = OrganizationFactory(name="Công đoàn Ngành Y")
    EssayAuthor.objects.bulk_create([EssayAuthor(essay=essay, name="Hà Thị Đồng", organization=union, phone="0911222333")])
    upload = EssayFile(essay=essay, kind="docx", original_name="Bai viet - Tran Van But.docx", size=10)
    upload.file.save("essays/BV-x-1.docx", ContentFile(samples.docx()), save=False)
    EssayFile.objects.bulk_create([upload])
    round = JudgingRound.objects.create(phase=essay.phase, name="Vòng sơ khảo", order=1)
    Criterion.objects.create(round=round, name="Bám sát chủ đề", max_points=20)
    judge = staff_user(Role.JUDGE)
    PanelMember.objects.create(round=round, judge=judge)
    judging.round_fill_from_screening(round=round)
    judging.round_assign(round=round)
    return Assignment.objects.get(judge=judge)


SECRETS = [
    "Trần Văn Bút",
    "Tran Van But",
    "tran.van.but@example.com",
    "0987654321",
    "Đảng bộ Cục Thuế tỉnh",
    "Hà Thị Đồng",
    "0911222333",
    "Công đoàn Ngành Y",
    "Chi bộ Phòng Kiểm tra",
    "Đồng chí Lò Thị Mai",
]


def _flat_context(response):
    for context in response.context:
        for layer in context.dicts:
            yield from layer.values()


def test_judge_sheet_shows_no_author_and_holds_no_model_instance_of_the_essay(client, sheet):
    client.force_login(sheet.judge)

    response = client.get(reverse("judging:sheet", args=[sheet.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert sheet.essay.code in html and sheet.essay.title in html
    assert [s for s in SECRETS if s in html] == []
    assert f"{sheet.essay.code}-1.docx" in html  # the attachment, under a neutral name
    leaked = [v for v in _flat_context(response) if isinstance(v, Model) and v._meta.app_label == "essays"]
    assert [type(v).__name__ for v in leaked if type(v).__name__ != "Criterion"] == []
    assert isinstance(response.context["sheet"].essay, selectors.BlindEssay)


def test_judge_queue_is_blind_too(client, sheet):
    client.force_login(sheet.judge)

    response = client.get(reverse("judging:queue"))

    html = response.content.decode()
    assert sheet.essay.code in html
    assert [s for s in SECRETS if s in html] == []
    assert [type(a).__name__ for a in response.context["assignments"]] == ["QueueRow"]


def test_blind_essay_is_immutable_and_has_only_what_a_judge_may_see(sheet):
    blind = selectors.blind_essay_for_judge(sheet)

    assert set(blind.__dataclass_fields__) == {"code", "title", "body_html", "word_count", "attachments"}
    assert blind.word_count == sheet.essay.word_count
    assert [a.name for a in blind.attachments] == [f"{sheet.essay.code}-1.docx"]
    with pytest.raises(AttributeError):
        blind.title = "khác"  # frozen


def test_another_judge_cannot_open_the_sheet(client, sheet):
    client.force_login(staff_user(Role.JUDGE))
    assert client.get(reverse("judging:sheet", args=[sheet.pk])).status_code == 404


def test_public_page_shows_authors_only_after_publication(client, sheet):
    from django.utils import timezone

    essay = sheet.essay
    assert client.get(reverse("essays:public", args=[essay.code])).status_code == 404
    essay.published_at = timezone.now()
    essay.save(update_fields=["published_at"])

    html = client.get(reverse("essays:public", args=[essay.code])).content.decode()

    assert "Trần Văn Bút" in html and "Hà Thị Đồng" in html
    assert "0987654321" not in html and "tran.van.but@example.com" not in html


def test_the_public_page_is_never_handed_the_authors_phones(client, sheet):
    """Not only kept off the page by its template: the view's context has no phone for the public;
    the author and the secretariat still get them."""
    from django.utils import timezone

    essay = sheet.essay
    essay.published_at = timezone.now()
    essay.save(update_fields=["published_at"])
    phones = set(essay.authors.values_list("phone", flat=True))
    assert phones - {""}

    public = client.get(reverse("essays:public", args=[essay.code])).context["authors"]
    assert [a.name for a in public] == list(essay.authors.order_by("order", "pk").values_list("name", flat=True))
    assert {a.phone for a in public} == {""}

    assert {a.phone for a in selectors.authors_for(essay.submitter, essay)} == phones
    assert {a.phone for a in selectors.authors_for(staff_user(Role.SECRETARIAT), essay)} == phones
    assert {a.phone for a in selectors.authors_for(staff_user(Role.JUDGE), essay)} == {""}
