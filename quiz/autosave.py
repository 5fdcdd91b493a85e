"""The autosave's lean path: the request a contestant's phone sends most (docs/performance.md).

The attempt page carries a signed token naming the attempt, its owner and (by a hash) the
session cookie it was issued to. An autosave that brings it is answered by
`AutosaveMiddleware`, high in the middleware list, without loading the session (a cache read)
or the user (a database read) and without the CSRF, locale, messages and allauth layers:
checking the token is one HMAC, and the save is one UPDATE
(`quiz.services.attempts.attempt_save_answers`, the one home of the rule: the owner's open attempt,
before its deadline, an option that exists).

Why this is safe:
- the token is issued only to the attempt's owner, by the attempt page, and is never in a
  cookie, so another site cannot forge a request that carries it (it is the CSRF token too);
- it is bound to the session cookie it was issued with: after a logout or a new login the
  browser's cookie changes and the token stops working;
- it can only write answers of that one attempt, and only while the attempt is open and before
  its deadline (checked by the UPDATE itself); it expires after TOKEN_MAX_AGE whatever happens.
A password changed elsewhere logs the other sessions out at their next full request; until then
the token can still save answers of that attempt, which the contestant could have done anyway.

A request without a token (or the page's fallback after a refused token) goes down the usual
path to `quiz.views.attempt_autosave`, with the session, the user and the CSRF check.
"""

import hashlib
import re

from django.conf import settings
from django.core import signing
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import JsonResponse
from django.utils import translation
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from contests import metrics

from .forms import parse_answers
from .services.attempts import attempt_save_answers

SALT = "quiz.autosave"
TOKEN_MAX_AGE = 12 * 60 * 60  # longer than any attempt; the deadline is checked by the save itself
PATH = re.compile(r"^/quiz/attempts/(\d+)/save/$")
# A batch is a few dozen "q12=3" pairs; anything bigger is not the page.
MAX_BODY = 16 * 1024
MAX_ANSWERS = 200
# contest_autosaves_total{outcome}: how the lean path answered (save_reply's statuses).
OUTCOMES = {200: "saved", 400: "invalid", 403: "refused", 409: "closed", 503: "busy"}


def _session_tag(session_key: str) -> str:
    return hashlib.sha256(f"{SALT}:{session_key}".encode()).hexdigest()[:32]


def token_for(*, attempt, session_key: str) -> str:
    """The autosave token the attempt page carries (see the module's docstring)."""
    return signing.dumps([attempt.pk, attempt.user_id, _session_tag(session_key or "")], salt=SALT)


def token_user_id(*, token: str, attempt_id: int, session_cookie: str) -> int | None:
    """The owner's id when the token is good for this attempt and this session cookie."""
    try:
        token_attempt, user_id, tag = signing.loads(token, salt=SALT, max_age=TOKEN_MAX_AGE)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if token_attempt != attempt_id or not constant_time_compare(tag, _session_tag(session_cookie or "")):
        return None
    return user_id


def parse_batch(data) -> dict[int, int] | None:
    """The answers of an autosave (q<position>=index, the attempt form's own names); None when
    malformed. The first version of the page sent one answer as position=…&index=…."""
    if "position" in data:
        data = {f"q{data.get('position')}": data.get("index")}
    answers = parse_answers(data)
    if answers is None or len(answers) > MAX_ANSWERS or any(p < 1 or i < 0 for p, i in answers.items()):
        return None
    return answers


def save_reply(answers: dict[int, int] | None, saved: set[int]) -> JsonResponse:
    """The answer to an autosave, the same on both paths: the positions saved; 400 for a
    malformed batch, 409 when nothing could be saved (attempt finished or time up)."""
    if answers is None:
        return JsonResponse({"saved": [], "message": _("Dữ liệu không hợp lệ.")}, status=400)
    if not answers:
        return JsonResponse({"saved": []})
    if not saved:
        message = _("Không lưu được câu trả lời: bài thi đã kết thúc hoặc hết giờ.")
        return JsonResponse({"saved": [], "message": message}, status=409)
    if len(saved) < len(answers):
        message = _("Một số câu trả lời gửi lên không hợp lệ và không được lưu.")
        return JsonResponse({"saved": sorted(saved), "message": message}, status=400)
    return JsonResponse({"saved": sorted(saved)})


def _language(request) -> str:
    # As contests.middleware.VietnameseFirstLocaleMiddleware: the switcher's cookie, else Vietnamese.
    language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


class AutosaveMiddleware:
    """Answer a token-carrying autosave before the session, auth, CSRF, locale, messages and
    allauth middleware run. Placed after the security headers (SecurityMiddleware, CSP,
    Permissions-Policy), which still apply to its responses."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        match = PATH.match(request.path_info) if request.method == "POST" else None
        if match is None:
            return self.get_response(request)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > MAX_BODY or "\x00" in request.path:
            return self.get_response(request)  # the usual path refuses it with its own pages
        try:
            token = request.POST.get("token")
        except Exception:  # a malformed body: the usual path answers it with its own pages
            token = None
        if not token:
            return self.get_response(request)
        response = self._answer(request, match, token)
        metrics.AUTOSAVES.labels(outcome=OUTCOMES.get(response.status_code, "other")).inc()
        return response

    @staticmethod
    def _answer(request, match, token):
        with translation.override(_language(request)):
            attempt_id = int(match[1])
            user_id = token_user_id(
                token=token, attempt_id=attempt_id, session_cookie=request.COOKIES.get(settings.SESSION_COOKIE_NAME, "")
            )
            if user_id is None:
                message = _("Phiên làm bài đã thay đổi; câu trả lời sẽ được lưu theo cách thông thường.")
                return JsonResponse({"saved": [], "message": message}, status=403)
            answers = parse_batch(request.POST)
            if not answers:
                return save_reply(answers, set())
            try:
                saved = _save_retrying(attempt_id=attempt_id, user_id=user_id, answers=answers)
            except DatabaseError:
                message = _("Hệ thống đang bận; câu trả lời vẫn được giữ trên máy và sẽ được gửi lại.")
                return JsonResponse({"saved": [], "message": message}, status=503)
            return save_reply(answers, saved)


def _save_retrying(**kwargs) -> set[int]:
    """The save without the per-request health check of the persistent connection
    (CONN_HEALTH_CHECKS: a SELECT 1 before the first query of every request): the UPDATE is
    idempotent, so a connection found dead by the UPDATE itself (the database restarted) is
    closed and the UPDATE sent once more on a new one. One round trip instead of two."""
    if not connection.in_atomic_block:
        connection.health_check_done = True  # Django's own flag: "checked for this request"
    try:
        return attempt_save_answers(**kwargs)
    except (InterfaceError, OperationalError):
        if connection.in_atomic_block:
            raise
        connection.close()
    return attempt_save_answers(**kwargs)
