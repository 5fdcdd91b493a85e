"""The attempt pages' service worker and offline page (quiz.offline_views): where the worker is
served (its folder is its scope), how it is cached, that neither page reads the session, the user
or the database, and that the offline page holds nothing about who asks."""

import re

import pytest
from django.urls import reverse

from quiz import offline_views
from tests.factories import contestant

pytestmark = pytest.mark.django_db


def test_worker_is_served_from_the_attempt_pages_folder_and_always_revalidated(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("quiz:service_worker"))

    assert reverse("quiz:service_worker") == "/quiz/attempts/sw.js"  # scope: /quiz/attempts/ only
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert "no-cache" in response["Cache-Control"]
    assert "script-src 'self'" in response["Content-Security-Policy"]
    script = response.content.decode()
    assert re.search(r'var VERSION = "[0-9a-f]{16}";', script)
    assert '"/quiz/attempts/offline/"' in script
    # Only attempt pages are ever kept; nothing else in the script names a page.
    assert "/reports/" not in script and "/admin/" not in script and "/judging/" not in script


def test_worker_version_follows_the_files_it_keeps(client, monkeypatch):
    first = client.get(reverse("quiz:service_worker")).content.decode()
    real = offline_views._asset_digest
    monkeypatch.setattr(offline_views, "_asset_digest", lambda path: real(path) + (b"x" if path == "js/quiz.js" else b""))
    second = client.get(reverse("quiz:service_worker")).content.decode()

    version = re.compile(r'var VERSION = "([0-9a-f]+)"')
    assert version.search(first).group(1) != version.search(second).group(1)


def test_offline_page_is_vietnamese_and_the_same_for_everyone(client, django_assert_num_queries):
    user = contestant(user__full_name="Trần Thị Riêng Tư")
    anonymous = client.get(reverse("quiz:offline")).content.decode()
    client.force_login(user)

    with django_assert_num_queries(0):
        response = client.get(reverse("quiz:offline"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Đang mất mạng, bài vẫn được giữ" in html
    assert html == anonymous
    assert "Trần Thị Riêng Tư" not in html and "csrfmiddlewaretoken" not in html


def test_attempt_page_is_marked_as_served_by_the_server(client):
    from quiz.services.attempts import attempt_start
    from tests.quiz.factories import sealed_round

    user = contestant()
    attempt = attempt_start(round=sealed_round(), user=user)
    client.force_login(user)

    html = client.get(reverse("quiz:attempt", args=[attempt.pk])).content.decode()

    # The worker turns this mark into "copy" when it shows its kept copy (quiz/templates/quiz/sw.js).
    assert html.count('data-served="server"') == 1
    assert html.index('data-served="server"') < html.index("<fieldset")
    assert 'data-attempt-worker="/quiz/attempts/sw.js"' in html
