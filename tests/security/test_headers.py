import base64
import hashlib
import re
from pathlib import Path

import django
import pytest
from django.conf import settings as django_settings


def test_the_413_and_429_pages_carry_the_headers_too(client, settings):
    settings.REQUEST_MAX_BODY_SIZE = 10
    response = client.post("/accounts/login/", {"login": "a" * 50})
    assert response.status_code == 413
    assert "Content-Security-Policy" in response
    assert "Permissions-Policy" in response


def test_the_admin_changelist_style_hash_matches_the_installed_django():
    template = Path(django.__file__).parent / "contrib/admin/templates/admin/change_list.html"
    style = re.search(r"<style>(.*?)</style>", template.read_text(), re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    expected = f"'sha256-{digest}'"
    assert expected == django_settings.ADMIN_CHANGELIST_STYLE_HASH
    assert django_settings.ADMIN_CHANGELIST_STYLE_HASH in django_settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["style-src"]


@pytest.mark.django_db
def test_no_template_of_the_project_has_inline_script_or_style():
    root = Path(django_settings.BASE_DIR)
    offenders = []
    for template in [*root.glob("templates/**/*.html"), *root.glob("*/templates/**/*.html")]:
        text = template.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>|<style|\sstyle=\"|\son[a-z]+=\"", text):
            offenders.append(str(template.relative_to(root)))
    assert offenders == []


@pytest.mark.django_db
def test_the_policy_built_once_is_the_one_django_csp_builds(client, settings):
    from csp.decorators import csp_update
    from csp.utils import build_policy
    from django.http import HttpResponse
    from django.test import RequestFactory

    from contests.middleware import CSPMiddleware

    def directives(header):
        return sorted(header.split("; "))

    assert client.get("/").headers["Content-Security-Policy"] == build_policy()
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'self'"], "img-src": ["'self'", "blob:"]}}
    assert directives(client.get("/").headers["Content-Security-Policy"]) == ["default-src 'self'", "img-src 'self' blob:"]

    @csp_update({"img-src": "https://example.org"})
    def view(request):
        return HttpResponse("x")

    request = RequestFactory().get("/x/")
    middleware = CSPMiddleware(view)
    middleware.process_request(request)
    response = middleware.process_response(request, view(request))
    assert directives(response.headers["Content-Security-Policy"]) == [
        "default-src 'self'",
        "img-src 'self' blob: https://example.org",
    ]
