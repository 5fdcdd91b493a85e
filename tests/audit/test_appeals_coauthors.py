"""Co-authors appeal an essay's result (audit.appeals over essays.rules.is_coauthor), and the
secretariat's workbook of appeals (/reports/appeals.xlsx, audit.appeal_exports)."""

import io
import itertools

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.enums import Role
from audit import appeals
from audit.appeal_exports import APPEAL_COLUMNS, APPEALS_SHEET
from audit.models import Appeal
from contests.decisions import decision_record
from contests.models import Decision
from essays.models import EssayAuthor, JudgingRound, RoundEssay
from essays.rules import is_coauthor
from tests.budgets import QUERIES
from tests.essays.factories import EssayFactory
from tests.factories import OrganizationFactory, UserFactory, contestant, staff_user

pytestmark = pytest.mark.django_db

REASON = "Bài viết của chúng tôi bị trừ điểm tiêu chí sáng tạo, xin Ban Tổ chức xem lại."
_phones = itertools.count(1)


def _person(*, verified=True):
    user = contestant()
    user.phone, user.phone_verified = f"0986{next(_phones):06d}", verified
    user.save(update_fields=["phone", "phone_verified"])
    return user


def _judged_essay(*, coauthor_phone: str, published=True, like=None):
    """An essay with a co-author listed under `coauthor_phone`, in a judging round published (the
    one of the essay `like`, when given)."""
    essay = EssayFactory(phase=like.phase) if like is not None else EssayFactory()
    EssayAuthor.objects.bulk_create(
        [EssayAuthor(essay=essay, name="Lò Văn Pản", organization=OrganizationFactory(), phone=coauthor_phone, order=2)]
    )
    if like is not None:
        RoundEssay.objects.create(round=JudgingRound.objects.get(phase=like.phase), essay=essay)
        return essay
    judging = JudgingRound.objects.create(phase=essay.phase, name="Vòng chung khảo", order=1)
    RoundEssay.objects.create(round=judging, essay=essay)
    if published:
        decision_record(action=Decision.Action.PUBLISH, obj=judging, by=staff_user(Role.ORGANIZER))
    return essay


def _my_results(client, essay):
    return client.get(reverse("quiz:my_results"), {"contest": essay.phase.contest.slug}).content.decode()


# --- Who may appeal an essay's result ------------------------------------------------------------


def test_a_coauthor_finds_the_appeal_on_my_results_and_files_it(client):
    coauthor = _person()
    essay = _judged_essay(coauthor_phone=coauthor.phone)
    url = reverse("appeals:new_essay", args=[essay.pk])
    client.force_login(coauthor)

    page = _my_results(client, essay)
    assert "data-appeal-new" in page and url in page and essay.title in page
    response = client.post(url, {"reason": REASON})

    appeal = Appeal.objects.get()
    assert response.status_code == 302 and (appeal.appellant, appeal.essay, appeal.part) == (coauthor, essay, "essay")
    assert 'data-appeal-status="open"' in _my_results(client, essay)
    assert client.get(reverse("appeals:mine", args=[appeal.pk])).status_code == 200
    # The essay stays the submitter's: the co-author does not read it before publication.
    assert client.get(reverse("essays:mine_detail", args=[essay.pk])).status_code == 404
    client.force_login(staff_user(Role.SECRETARIAT))
    listing = client.get(reverse("reports:appeals")).content.decode()
    assert "data-coauthor" in listing


def test_the_submitter_and_a_coauthor_each_have_their_own_open_appeal():
    coauthor = _person()
    essay = _judged_essay(coauthor_phone=coauthor.phone)
    for person in (essay.submitter, coauthor):
        appeals.appeal_submit(user=person, target=appeals.essay_target(user=person, essay=essay), reason=REASON)

    with pytest.raises(appeals.AppealError, match="đang chờ giải quyết"):
        appeals.appeal_submit(user=coauthor, target=appeals.essay_target(user=coauthor, essay=essay), reason=REASON)
    assert Appeal.objects.filter(essay=essay).count() == 2


@pytest.mark.parametrize("who", ["unverified number", "another number", "no number", "anonymous"])
def test_only_a_verified_number_listed_for_an_author_makes_a_coauthor(client, who):
    listed = "0986999001"
    essay = _judged_essay(coauthor_phone=listed)
    if who == "unverified number":
        user = contestant()
        user.phone, user.phone_verified = listed, False
        user.save(update_fields=["phone", "phone_verified"])
    elif who == "another number":
        user = _person()
    elif who == "no number":
        user = UserFactory(phone=None)
    else:
        user = None
    if user is not None:
        client.force_login(user)

    response = client.post(reverse("appeals:new_essay", args=[essay.pk]), {"reason": REASON})

    assert response.status_code in (302, 404)
    assert response.status_code == 404 or "/accounts/login/" in response["Location"]
    assert not Appeal.objects.exists()
    if user is not None:
        assert not is_coauthor(user, essay) and appeals.essay_target(user=user, essay=essay) is None


def test_no_appeal_before_the_judging_round_is_published(client):
    coauthor = _person()
    essay = _judged_essay(coauthor_phone=coauthor.phone, published=False)
    client.force_login(coauthor)

    assert "data-appeal-new" not in _my_results(client, essay)
    assert client.get(reverse("appeals:new_essay", args=[essay.pk])).status_code == 404


def test_my_results_with_essays_costs_the_same_for_one_or_several(client, django_assert_num_queries):
    coauthor = _person()
    first = _judged_essay(coauthor_phone=coauthor.phone)
    client.force_login(coauthor)
    _my_results(client, first)
    with django_assert_num_queries(QUERIES["my_results_essays"]):
        _my_results(client, first)
    _judged_essay(coauthor_phone=coauthor.phone, like=first)
    with django_assert_num_queries(QUERIES["my_results_essays"]):
        assert _my_results(client, first).count("data-appeal-new") == 2


# --- The workbook --------------------------------------------------------------------------------


@pytest.fixture
def filed():
    coauthor = _person()
    essay = _judged_essay(coauthor_phone=coauthor.phone)
    by_submitter = appeals.appeal_submit(
        user=essay.submitter, target=appeals.essay_target(user=essay.submitter, essay=essay), reason="=HYPERLINK(1) " + REASON
    )
    by_coauthor = appeals.appeal_submit(user=coauthor, target=appeals.essay_target(user=coauthor, essay=essay), reason=REASON)
    appeals.appeal_decide(appeal=by_submitter, by=staff_user(Role.SECRETARIAT), upheld=False, reason="Điểm đúng như đã chấm.")
    return essay, by_submitter, by_coauthor


def _rows(response):
    book = load_workbook(io.BytesIO(response.content))
    return [list(r) for r in book[APPEALS_SHEET].iter_rows(values_only=True)]


def test_the_workbook_lists_each_appeal_with_who_filed_it_and_the_verdict(client, filed):
    essay, by_submitter, by_coauthor = filed
    client.force_login(staff_user(Role.SECRETARIAT))
    contest = {"contest": essay.phase.contest.slug}

    response = client.get(reverse("reports:appeals_export"), contest)

    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    rows = _rows(response)
    assert rows[0] == [name for name, _w, _f in APPEAL_COLUMNS]
    by_id = {row[0]: row for row in rows[1:]}
    assert set(by_id) == {by_submitter.pk, by_coauthor.pk}
    submitted, coauthored = by_id[by_submitter.pk], by_id[by_coauthor.pk]
    assert submitted[5] == "Người nộp bài" and coauthored[5] == "Đồng tác giả"
    assert submitted[8].startswith("'=HYPERLINK(1)")  # text, never a formula
    assert (submitted[10], submitted[13]) == ("Không được chấp nhận", "Điểm đúng như đã chấm.")
    assert coauthored[10] == "Đang chờ giải quyết" and coauthored[11] is None
    assert essay.code in coauthored[3] and coauthored[2] == "Thi viết"
    only_open = _rows(client.get(reverse("reports:appeals_export"), {**contest, "status": "open"}))
    assert [row[0] for row in only_open[1:]] == [by_coauthor.pk]
    page = client.get(reverse("reports:appeals"), contest).content.decode()
    assert "data-appeals-export" in page and reverse("reports:appeals_export") in page


def test_the_workbook_costs_the_same_whatever_the_number_of_appeals(client, filed, django_assert_num_queries):
    essay, _a, _b = filed
    client.force_login(staff_user(Role.SECRETARIAT))
    url, contest = reverse("reports:appeals_export"), {"contest": essay.phase.contest.slug}
    with django_assert_num_queries(QUERIES["appeals_export"]):
        client.get(url, contest)
    other = _person()
    more = _judged_essay(coauthor_phone=other.phone, like=essay)
    appeals.appeal_submit(user=other, target=appeals.essay_target(user=other, essay=more), reason=REASON)
    with django_assert_num_queries(QUERIES["appeals_export"]):
        client.get(url, contest)


@pytest.mark.parametrize("role, status", [(Role.SECRETARIAT, 200), (Role.ORGANIZER, 200), (Role.JUDGE, 403),
                                          (Role.UNIT_OFFICER, 403), (Role.CONTESTANT, 403)])  # fmt: skip
def test_only_the_office_downloads_the_workbook(client, filed, role, status):
    client.force_login(staff_user(role) if role != Role.CONTESTANT else contestant())

    assert client.get(reverse("reports:appeals_export")).status_code == status


def test_anonymous_is_sent_to_log_in_for_the_workbook(client):
    response = client.get(reverse("reports:appeals_export"))

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
