import functools
import logging
from http import HTTPStatus

from csp import middleware as csp_middleware
from csp.constants import HEADER as CSP_HEADER
from csp.constants import HEADER_REPORT_ONLY as CSP_HEADER_REPORT_ONLY
from csp.utils import build_policy
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.signals import setting_changed
from django.db import InterfaceError, OperationalError
from django.dispatch import receiver
from django.http import HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme

logger = logging.getLogger(__name__)


class VietnameseFirstLocaleMiddleware(LocaleMiddleware):
    """Vietnamese unless the user picked another language with the switcher (cookie).

    Many contestants' phones are set to English; the browser's Accept-Language must not turn a
    Vietnamese contest into an English one behind their back."""

    def process_request(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class PermissionsPolicyMiddleware:
    """Switch off the browser features no page of the site uses (settings.PERMISSIONS_POLICY)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class RequestSizeLimitMiddleware:
    """Refuse a body announced larger than settings.REQUEST_MAX_BODY_SIZE before anything reads it.

    Django parses a body only when a view or CsrfViewMiddleware.process_view asks for it, which
    happens after this runs. A body without Content-Length (chunked) is not read by Django."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.REQUEST_MAX_BODY_SIZE:
            limit_mb = settings.REQUEST_MAX_BODY_SIZE // (1024 * 1024)
            return render(request, "413.html", {"limit_mb": limit_mb}, status=413)
        return self.get_response(request)


class NulCharacterMiddleware:
    """Answer 400 to a NUL character in the path, the query string or a form body.

    No text the site stores may contain one (PostgreSQL refuses it, which would be a 500), and no
    honest browser sends one. Forms reject it too; this also covers views that read a raw value."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        suspicious = "\x00" in request.path or b"%00" in request.META.get("QUERY_STRING", "").encode()
        if not suspicious and request.content_type == "application/x-www-form-urlencoded":
            try:
                body = request.body  # already capped by DATA_UPLOAD_MAX_MEMORY_SIZE and the size middleware
            except RequestDataTooBig:
                body = b""  # Django answers this one itself when the view reads the form
            suspicious = b"%00" in body or b"\x00" in body
        if suspicious:
            return render(request, "400.html", status=400)
        return self.get_response(request)


# What a view or decorator of django-csp sets on a response to ask for a policy of its own.
_CSP_PER_RESPONSE = ("_csp_config", "_csp_update", "_csp_replace", "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro")


@functools.cache
def _site_csp() -> tuple[tuple[str, str, str, tuple[str, ...]], ...]:
    """The site's two headers as django-csp builds them from the settings: (header, value, the
    response attribute that exempts from it, the path prefixes excluded from it)."""
    return tuple(
        (
            header,
            build_policy(report_only=report_only),
            exempt,
            tuple((getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES") or ()),
        )
        for header, report_only, exempt, setting in (
            (CSP_HEADER, False, "_csp_exempt", "CONTENT_SECURITY_POLICY"),
            (CSP_HEADER_REPORT_ONLY, True, "_csp_exempt_ro", "CONTENT_SECURITY_POLICY_REPORT_ONLY"),
        )
    )


@receiver(setting_changed)
def _csp_settings_changed(setting, **kwargs):
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _site_csp.cache_clear()


class CSPMiddleware(csp_middleware.CSPMiddleware):
    """django-csp's middleware with the site's policy built once per process. A response that
    asks for nothing of its own (no nonce used, no decorator of django-csp) gets the headers
    built from the settings at the first request, the same text django-csp builds on every
    response (a deep copy of the settings and a join: ~2 % of a lean request's CPU). Anything
    else goes through django-csp as it is."""

    def process_response(self, request, response):
        if (
            getattr(request, "_csp_nonce", None) is not None
            or any(hasattr(response, name) for name in _CSP_PER_RESPONSE)
            or (settings.DEBUG and response.status_code in (HTTPStatus.NOT_FOUND, HTTPStatus.INTERNAL_SERVER_ERROR))
        ):
            return super().process_response(request, response)
        for header, value, exempt, prefixes in _site_csp():
            excluded = prefixes and request.path_info.startswith(prefixes)
            if value and header not in response and not getattr(response, exempt, False) and not excluded:
                response[header] = value
        request.csp_nonce = csp_middleware.CheckableLazyObject(self._csp_nonce_post_response)
        return response


class ContestReadOnlyMiddleware:
    """A write that reaches an archived contest (`contests.rules.ContestReadOnly`, raised by the
    decision log or a guard) is answered with the message and a redirect back, never a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.contrib import messages
        from django.http import HttpResponseRedirect
        from django.utils.http import url_has_allowed_host_and_scheme

        from .rules import ContestReadOnly

        if not isinstance(exception, ContestReadOnly):
            return None
        messages.error(request, exception.message)
        back = request.META.get("HTTP_REFERER", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
            back = request.path if request.method == "GET" else "/"
        return HttpResponseRedirect(back)


class RateLimitedMiddleware:
    """Every limit is a 429 page, never a 500: allauth's `RateLimited` (raised by its phone
    verification when a number asks for a second code within 30 s, among others) and the site-wide
    SMS ceiling (`contests.sms.SmsCeilingReached`), wherever in a view they are raised."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from allauth.core.exceptions import RateLimited
        from django.utils.translation import gettext as _

        from .sms import SmsCeilingReached
        from .views import too_many_requests

        if isinstance(exception, SmsCeilingReached):
            return too_many_requests(
                request,
                _("Hệ thống đã gửi quá nhiều tin nhắn SMS trong lúc này nên tạm dừng gửi mã qua tin nhắn. "
                  "Vui lòng thử lại sau, hoặc đăng nhập bằng mật khẩu hay bằng mã gửi qua e-mail."),
            )  # fmt: skip
        if isinstance(exception, RateLimited):
            return too_many_requests(request)
        return None


class DatabaseUnavailableMiddleware:
    """The database gone for a moment (a restart, a failover, PgBouncer between two server logins)
    is a 503 page with Retry-After, never a 500: a contestant starting or submitting in those
    seconds is told that nothing is lost and to try again (a submit is idempotent; the answers are
    already saved). The page is rendered without the request's context processors, which would
    ask the database again."""

    RETRY_AFTER_SECONDS = 5

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        first_line = (str(exception).strip().splitlines() or [""])[0]
        logger.warning("Database unavailable (%s: %s): 503 for %s", type(exception).__name__, first_line, request.path)
        retry_url = request.get_full_path()
        if request.method not in ("GET", "HEAD"):  # back to the page the form was on, to send it again
            referer = request.headers.get("referer", "")
            safe = url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()}, require_https=request.is_secure())
            retry_url = referer if referer and safe else request.path
        body = render_to_string("503.html", {"retry_url": retry_url, "LANGUAGE_CODE": translation.get_language()})
        response = HttpResponse(body, status=HTTPStatus.SERVICE_UNAVAILABLE)
        response["Retry-After"] = str(self.RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response
