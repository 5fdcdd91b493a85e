"""The dashboard's «Việc cần làm»: the secretariat's rooms (integrity review, decision log,
certificates, winners' details, deletion requests) are a navigation of their own, not buttons
among the downloads, and each link shows only to whoever may open it (the rooms' permissions)."""

import re

import pytest
from django.urls import reverse

from accounts.enums import Role
from tests.factories import ContestFactory, staff_user

pytestmark = pytest.mark.django_db

ROOMS = ["integrity", "decisions", "certificates", "winner_details", "deletion_queue"]


def _section(html: str, start: str, end: str) -> str:
    return html[html.index(start) : html.index(end, html.index(start))]


def _links(html: str) -> set[str]:
    return {re.sub(r"\?.*$", "", href) for href in re.findall(r'href="([^"]+)"', html)}


@pytest.fixture
def dashboard(client):
    ContestFactory()

    def _get(role):
        client.force_login(staff_user(role))
        response = client.get(reverse("reports:dashboard"))
        assert response.status_code == 200
        html = response.content.decode()
        tasks = _section(html, "data-staff-tasks", "</nav>")
        downloads = _section(html, "Tải dữ liệu (Excel)", "</section>")
        return _links(tasks), _links(downloads)

    return _get


def test_secretariat_finds_every_room_under_things_to_do_not_among_downloads(dashboard):
    rooms = {reverse(f"reports:{name}") for name in ROOMS}
    tasks, downloads = dashboard(Role.SECRETARIAT)

    assert rooms <= tasks
    assert reverse("reports:essay_winners") in tasks
    assert rooms & downloads == set()


def test_organizer_sees_no_link_to_the_winners_private_details(dashboard):
    tasks, _downloads = dashboard(Role.ORGANIZER)

    assert reverse("reports:winner_details") not in tasks
    assert reverse("reports:integrity") in tasks
