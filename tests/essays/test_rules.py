"""essays.rules: each predicate for each role, and conflicts of interest when judges are assigned."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from accounts.enums import Role
from essays import judging, rules, selectors
from essays.enums import Eligibility, EssayStatus, SheetStatus
from essays.models import Assignment, EssayAuthor, EssayFile, JudgingRound, PanelMember
from tests.budgets import QUERIES
from tests.essays.factories import EssayFactory, EssayPhaseFactory
from tests.factories import OrganizationFactory, ProfileFactory, contestant, staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db):
    essay = EssayFactory(status=EssayStatus.SUBMITTED, eligibility=Eligibility.ELIGIBLE)
    round = JudgingRound.objects.create(phase=essay.phase, name="Vòng sơ khảo", order=1)
    judge_on, judge_conflicted, other_judge = (staff_user(Role.JUDGE) for _ in range(3))
    Assignment.objects.create(round=round, essay=essay, judge=judge_on)
    Assignment.objects.create(round=round, essay=essay, judge=judge_conflicted, status=SheetStatus.CONFLICT)
    return {
        "essay": essay,
        # bulk_create: the essay is screened, its attachments are frozen for every other path.
        "file": EssayFile.objects.bulk_create(
            [EssayFile(essay=essay, file="essays/x.docx", kind="docx", original_name="x.docx", size=1)]
        )[0],
        "author": essay.submitter,
        "secretariat": staff_user(Role.SECRETARIAT),
        "organizer": staff_user(Role.ORGANIZER),
        "judge_on": judge_on,
        "judge_conflicted": judge_conflicted,
        "other_judge": other_judge,
        "contestant": contestant(),
        "anonymous": AnonymousUser(),
    }


# who: (can_view_essay, can_see_authors, file access) before publication
EXPECTED = {
    "author": (True, True, rules.FileAccess.FULL),
    "secretariat": (True, True, rules.FileAccess.FULL),
    "organizer": (True, True, rules.FileAccess.FULL),
    "judge_on": (True, False, rules.FileAccess.BLIND),
    "judge_conflicted": (False, False, None),
    "other_judge": (False, False, None),
    "contestant": (False, False, None),
    "anonymous": (False, False, None),
}


@pytest.mark.parametrize("who", EXPECTED)
def test_predicates_before_publication(people, who):
    user, essay = people[who], people["essay"]

    got = (rules.can_view_essay(user, essay), rules.can_see_authors(user, essay), rules.file_access(user, people["file"]))

    assert got == EXPECTED[who]
    if EXPECTED[who][2] is None:
        with pytest.raises(Http404):
            selectors.get_essay_file(user, people["file"].pk)
    else:
        assert selectors.get_essay_file(user, people["file"].pk) == (people["file"], EXPECTED[who][2])


@pytest.mark.parametrize("who", EXPECTED)
def test_after_publication_everyone_sees_the_essay_and_authors_but_files_stay_private(people, who):
    essay = people["essay"]
    essay.published_at = timezone.now()
    essay.save(update_fields=["published_at"])
    user = people[who]

    assert rules.can_view_essay(user, essay) is True
    assert rules.can_see_authors(user, essay) is True
    assert rules.file_access(user, people["file"]) == EXPECTED[who][2]
    assert rules.can_see_contacts(user, essay) is (who in ("author", "secretariat", "organizer"))


@pytest.mark.parametrize("who", EXPECTED)
def test_staff_predicates(people, who):
    staff = who in ("secretariat", "organizer")
    assert rules.can_screen(people[who]) is staff
    assert rules.can_export_essays(people[who]) is staff


def test_can_score_only_the_judge_of_the_sheet_unless_conflicted(people):
    sheet = Assignment.objects.get(judge=people["judge_on"])
    returned = Assignment.objects.get(judge=people["judge_conflicted"])

    assert rules.can_score(people["judge_on"], sheet) is True
    assert [rules.can_score(people[w], sheet) for w in ("other_judge", "organizer", "author", "anonymous")] == [False] * 4
    assert rules.can_score(people["judge_conflicted"], returned) is False


# --- Conflicts of interest ----------------------------------------------------------------------------


def _tree():
    """party committee → cell, plus an unrelated committee."""
    committee = OrganizationFactory()
    cell = OrganizationFactory(parent=committee)
    sibling_cell = OrganizationFactory(parent=committee)
    other = OrganizationFactory()
    return committee, cell, sibling_cell, other


def _judge(panel_unit=None, profile_unit=None, phone=""):
    user = staff_user(Role.JUDGE)
    if profile_unit is not None:
        ProfileFactory(user=user, organization=profile_unit, **({"phone": phone} if phone else {}))
        user.refresh_from_db()
    return rules.judge_context(user, panel_unit=panel_unit), user


def test_conflict_covers_the_subtree_both_ways():
    committee, cell, sibling_cell, other = _tree()
    of_cell = EssayFactory(subject_organization=cell)
    of_committee = EssayFactory(subject_organization=committee)
    of_other = EssayFactory(subject_organization=other)

    tied_to_committee, _ = _judge(panel_unit=committee)
    tied_to_sibling_cell, _ = _judge(panel_unit=sibling_cell)

    assert rules.judge_conflicts(tied_to_committee, of_cell) is True  # downwards
    assert rules.judge_conflicts(tied_to_sibling_cell, of_committee) is True  # upwards
    assert rules.judge_conflicts(tied_to_sibling_cell, of_cell) is False  # a sibling branch
    assert rules.judge_conflicts(tied_to_committee, of_other) is False


def test_conflict_with_the_judges_own_profile_unit_and_the_authors_units():
    committee, cell, _sibling, other = _tree()
    essay = EssayFactory(subject_organization=other)
    EssayAuthor.objects.filter(essay=essay).update(organization=cell)  # an author works in the cell

    by_profile, _ = _judge(profile_unit=committee)
    unrelated, _ = _judge(panel_unit=OrganizationFactory())

    assert rules.judge_conflicts(by_profile, essay) is True
    assert rules.judge_conflicts(unrelated, essay) is False


def test_conflict_with_the_judges_own_essay():
    unit = OrganizationFactory()
    context, user = _judge(profile_unit=unit, phone="0987000111")
    submitted = EssayFactory(submitter=user, subject_organization=OrganizationFactory())
    co_written = EssayFactory(subject_organization=OrganizationFactory())
    EssayAuthor.objects.create(essay=co_written, name="Đồng tác giả", organization=OrganizationFactory(), phone="0987000111")
    EssayAuthor.objects.filter(essay=submitted).update(organization=OrganizationFactory())

    assert rules.judge_conflicts(context, submitted) is True
    assert rules.judge_conflicts(context, co_written) is True


def _path(ids):
    return "/" + "".join(f"{i}/" for i in ids)


@given(
    judge=st.lists(st.integers(1, 6), min_size=1, max_size=4),
    essay=st.lists(st.integers(1, 6), min_size=1, max_size=4),
)
def test_units_related_is_ancestor_or_self_either_way(judge, essay):
    a, b = _path(judge), _path(essay)
    expected = judge[: len(essay)] == essay or essay[: len(judge)] == judge

    assert rules.units_related(a, b) is expected
    assert rules.units_related(b, a) is expected


def test_units_related_ignores_missing_paths_and_prefix_lookalikes():
    assert rules.units_related("", "/1/") is False
    assert rules.units_related("/1/", "/12/") is False


def _assign_round(phase, judges_units):
    round = JudgingRound.objects.create(phase=phase, name="Vòng 1", order=1)
    members = []
    for panel_unit, profile_unit in judges_units:
        user = staff_user(Role.JUDGE)
        if profile_unit is not None:
            ProfileFactory(user=user, organization=profile_unit)
        members.append(PanelMember.objects.create(round=round, judge=user, organization=panel_unit))
    return round, [m.judge for m in members]


def test_round_assign_skips_every_conflict():
    committee, cell, sibling_cell, other = _tree()
    phase = EssayPhaseFactory()
    essays = {
        "cell": EssayFactory(
            phase=phase, subject_organization=cell, status=EssayStatus.SUBMITTED, eligibility=Eligibility.ELIGIBLE
        ),
        "committee": EssayFactory(
            phase=phase, subject_organization=committee, status=EssayStatus.SUBMITTED, eligibility=Eligibility.ELIGIBLE
        ),
        "other": EssayFactory(
            phase=phase, subject_organization=other, status=EssayStatus.SUBMITTED, eligibility=Eligibility.ELIGIBLE
        ),
    }
    round, (by_committee, by_sibling_profile, free) = _assign_round(
        phase, [(committee, None), (None, sibling_cell), (None, None)]
    )
    own = EssayFactory(
        phase=phase, submitter=free, subject_organization=OrganizationFactory(), status=EssayStatus.SUBMITTED,
        eligibility=Eligibility.ELIGIBLE,
    )  # fmt: skip
    judging.round_fill_from_screening(round=round)

    judging.round_assign(round=round)

    got = {
        judge: set(Assignment.objects.filter(judge=judge).values_list("essay_id", flat=True))
        for judge in (by_committee, by_sibling_profile, free)
    }
    assert got[by_committee] == {essays["other"].pk, own.pk}
    assert got[by_sibling_profile] == {essays["cell"].pk, essays["other"].pk, own.pk}
    assert got[free] == {essays["cell"].pk, essays["committee"].pk, essays["other"].pk}


def _filled_round(n_essays):
    phase = EssayPhaseFactory()
    for _ in range(n_essays):
        essay = EssayFactory(phase=phase, status=EssayStatus.SUBMITTED, eligibility=Eligibility.ELIGIBLE)
        EssayAuthor.objects.bulk_create(  # screened: frozen for every other path
            [EssayAuthor(essay=essay, name="Người thứ hai", organization=OrganizationFactory(), phone="0911000222")]
        )
    round, _judges = _assign_round(phase, [(OrganizationFactory(), OrganizationFactory()) for _ in range(n_essays)])
    judging.round_fill_from_screening(round=round)
    return round


def test_round_assign_query_count_does_not_grow_with_the_round(django_assert_num_queries):
    # 9 to assign, 5 to queue the judges' notifications (judges, their choices, their channels, rows already queued, the insert).
    small, large = _filled_round(1), _filled_round(3)
    with django_assert_num_queries(QUERIES["round_assign"]) as first:
        judging.round_assign(round=small)
    with django_assert_num_queries(len(first.captured_queries)):
        judging.round_assign(round=large)
    assert Assignment.objects.filter(round=large).count() == 9
