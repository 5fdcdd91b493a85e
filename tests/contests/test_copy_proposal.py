"""«Sao chép cuộc thi» proposes an address no contest has yet (contests.copying.copy_proposal):
next year's, or «-2», «-3» … after it when a copy made before holds it; the page says which
contest holds it."""

import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.enums import Role
from contests.copying import SLUG_MAX, copy_proposal
from contests.models import Contest
from tests.factories import ContestFactory, staff_user

pytestmark = pytest.mark.django_db


def test_the_proposal_moves_the_year_and_the_address_is_free():
    source = ContestFactory(name="Cuộc thi năm 2025", slug="cuoc-thi-2025", starts_on=datetime.date(2025, 3, 1))

    proposal = copy_proposal(source=source)

    assert (proposal.name, proposal.slug, proposal.starts_on, proposal.taken) == (
        "Cuộc thi năm 2026", "cuoc-thi-2026", datetime.date(2026, 3, 1), None,
    )  # fmt: skip


def test_a_long_address_is_cut_without_a_dangling_hyphen():
    source = ContestFactory(slug="a" * 49, starts_on=datetime.date(2025, 3, 1))

    # "aaa…a-2026" cut at 50 is the source's own address: the next free one.
    assert copy_proposal(source=source).slug == "a" * 46 + "-2"


def test_a_taken_address_is_followed_by_the_first_free_number():
    source = ContestFactory(slug="cuoc-thi-2025", starts_on=datetime.date(2025, 3, 1))
    first = ContestFactory(slug="cuoc-thi-2026")
    ContestFactory(slug="cuoc-thi-2026-2")

    proposal = copy_proposal(source=source)

    assert (proposal.slug, proposal.taken) == ("cuoc-thi-2026-3", first)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    slug=st.from_regex(r"[a-z0-9]([a-z0-9-]{0,48}[a-z0-9])?", fullmatch=True),
    copies=st.integers(min_value=0, max_value=4),
)
def test_the_proposed_address_is_never_taken_and_always_a_valid_slug(slug, copies):
    Contest.objects.all().delete()
    source = ContestFactory(slug=slug, starts_on=datetime.date(2025, 3, 1))
    for _ in range(copies):
        proposal = copy_proposal(source=source)
        ContestFactory(slug=proposal.slug)

    proposal = copy_proposal(source=source)

    assert not Contest.objects.filter(slug=proposal.slug).exists()
    assert len(proposal.slug) <= SLUG_MAX and proposal.slug == proposal.slug.strip("-")


def test_the_copy_page_proposes_the_free_address_and_names_the_contest_holding_next_years(client):
    source = ContestFactory(name="Cuộc thi 2025", slug="cuoc-thi-2025", starts_on=datetime.date(2025, 3, 1))
    ContestFactory(name="Cuộc thi <2026>", slug="cuoc-thi-2026")
    client.force_login(staff_user(Role.ORGANIZER))

    page = client.get(f"/reports/contests/{source.pk}/copy/").content.decode()

    assert 'value="cuoc-thi-2026-2"' in page
    assert "data-slug-taken" in page and "Cuộc thi &lt;2026&gt;" in page
