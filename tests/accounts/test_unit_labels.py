"""A unit's full name (accounts.selectors.organization_labels): its path of names under the bloc,
the same on the profile's unit list, the leaderboard and the award list."""

import io

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from accounts.enums import OrganizationKind
from accounts.forms import ProfileForm
from accounts.models import Organization
from accounts.selectors import LABEL_SEPARATOR, organization_choice_groups, organization_label, organization_labels
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def test_a_cell_is_named_with_its_party_committee_and_without_the_bloc():
    bloc = OrganizationFactory(name="Đảng ủy Khối", kind=OrganizationKind.BLOC)
    committee = OrganizationFactory(name="Đảng bộ Cục Thuế tỉnh", parent=bloc)
    cell = OrganizationFactory(name="Chi bộ Phòng Tổng hợp", kind=OrganizationKind.CELL, parent=committee)

    assert organization_label(cell) == "Đảng bộ Cục Thuế tỉnh › Chi bộ Phòng Tổng hợp"
    assert organization_label(committee) == "Đảng bộ Cục Thuế tỉnh"
    assert organization_label(bloc) == "Đảng ủy Khối"
    assert organization_label(None) == ""


def test_labels_of_many_units_take_one_query(django_assert_num_queries):
    committees = [OrganizationFactory(name=f"Đảng bộ {i}") for i in range(3)]
    cells = [OrganizationFactory(name=f"Chi bộ {i}", kind=OrganizationKind.CELL, parent=c) for i, c in enumerate(committees)]
    units = list(Organization.objects.filter(pk__in=[c.pk for c in cells]))

    with django_assert_num_queries(1):
        labels = organization_labels(units)

    assert sorted(labels.values()) == [f"Đảng bộ {i} › Chi bộ {i}" for i in range(3)]


# A random tree: each new unit hangs under one of the earlier ones (or at the top).
trees = st.lists(
    st.tuples(st.integers(min_value=-1, max_value=30), st.sampled_from(OrganizationKind.values)), min_size=1, max_size=12
)


@settings(max_examples=40, database=None, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(shape=trees)
def test_every_label_is_its_parents_label_and_its_own_name(shape):
    Organization.objects.update(parent=None)
    Organization.objects.all().delete()
    units = []
    for n, (parent_index, kind) in enumerate(shape):
        parent = units[parent_index % len(units)] if units and parent_index >= 0 else None
        units.append(OrganizationFactory(name=f"Đơn vị {n}", kind=kind, parent=parent))
    units = list(Organization.objects.all())
    by_id = {u.pk: u for u in units}

    labels = organization_labels(units)

    def chain(unit):  # walked by parent links, independently of the stored paths
        above = chain(by_id[unit.parent_id]) if unit.parent_id else []
        return above + ([unit.name] if unit.kind != OrganizationKind.BLOC else [])

    for unit in units:
        assert labels[unit.pk] == (LABEL_SEPARATOR.join(chain(unit)) or unit.name), (unit.name, labels)


def test_two_cells_of_the_same_name_are_told_apart_on_the_unit_list():
    tax = OrganizationFactory(name="Đảng bộ Cục Thuế tỉnh")
    bank = OrganizationFactory(name="Đảng bộ Kho bạc Nhà nước tỉnh")
    for parent in (tax, bank):
        OrganizationFactory(name="Chi bộ Phòng Tổng hợp", kind=OrganizationKind.CELL, parent=parent)

    labels = [label for _group, entries in organization_choice_groups() for _pk, label in entries]

    assert "Đảng bộ Cục Thuế tỉnh › Chi bộ Phòng Tổng hợp" in labels
    assert "Đảng bộ Kho bạc Nhà nước tỉnh › Chi bộ Phòng Tổng hợp" in labels
    assert len(labels) == len(set(labels))


def test_the_unit_list_gives_the_search_its_texts():
    OrganizationFactory()
    html = str(ProfileForm()["organization"])

    assert "data-unit-select" in html
    assert 'data-msg-placeholder="Tìm đơn vị…"' in html
    assert 'data-msg-chosen="Đã chọn:"' in html


def test_the_award_list_export_names_the_cell_with_its_party_committee(client):
    from awards import exports
    from quiz.models import Prize, Round
    from quiz.services.attempts import attempt_start, attempt_submit
    from quiz.services.prizes import round_prizes_draft
    from tests.factories import contestant
    from tests.quiz.factories import answer_all, sealed_round

    committee = OrganizationFactory(name="Đảng bộ Cục Thuế tỉnh")
    cell = OrganizationFactory(name="Chi bộ Phòng Tổng hợp", kind=OrganizationKind.CELL, parent=committee)
    round = sealed_round(prizes_first=1, prizes_second=0, prizes_third=0, prizes_consolation=0)
    user = contestant(organization=cell)
    attempt = attempt_start(round=round, user=user)
    attempt_submit(attempt=attempt, user=user, answers=answer_all(attempt, right=20))
    Round.objects.filter(pk=round.pk).update(closes_at=timezone.now())
    round_prizes_draft(round=Round.objects.get(pk=round.pk))
    assert Prize.objects.count() == 1

    buffer = io.BytesIO()
    exports.winners_workbook(buffer, contest=round.contest, round_id=round.pk)
    rows = list(load_workbook(io.BytesIO(buffer.getvalue())).active.iter_rows(values_only=True))

    assert rows[1][3] == "Đảng bộ Cục Thuế tỉnh › Chi bộ Phòng Tổng hợp"
