"""The request's context for the logs, Sentry and the metrics (first in settings.MIDDLEWARE).

- the request id: the incoming X-Request-ID when it is a sane token (a proxy's), else a new one;
  returned in the response's X-Request-ID and carried into the Celery tasks the request sends
  (operations.signals);
- the view name from the URL resolver (bounded: the latency histogram's label), and the user's
  numeric id (never an e-mail, phone or name), read only from what the request already loaded:
  logging never costs a query;
- the latency by view and the responses by status class (contests.metrics)."""

import time

from contests import metrics

from .logs import loaded_user_id, request_id_from, request_id_var, request_var, user_id_var, view_var

HEADER = "X-Request-ID"


def _view_name(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unmatched"
    return match.view_name or match._func_path


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        request_id = request_id_from(request.META.get("HTTP_X_REQUEST_ID"))
        request.request_id = request_id
        variables = (request_id_var, user_id_var, view_var, request_var)
        tokens = [var.set(value) for var, value in zip(variables, (request_id, None, None, request), strict=True)]
        try:
            response = self.get_response(request)
            response[HEADER] = request_id
            self._observe(request, response.status_code, started)
            return response
        finally:
            for var, token in zip(variables, tokens, strict=True):
                var.reset(token)

    def process_view(self, request, view_func, view_args, view_kwargs):
        view_var.set(_view_name(request))
        user_var_update(request)

    def process_exception(self, request, exception):
        # The error's log line and Sentry's event say whose request it was, if that was known.
        view_var.set(_view_name(request))
        user_var_update(request)

    @staticmethod
    def _observe(request, status: int, started: float) -> None:
        user_var_update(request)
        view = _view_name(request)
        if request.path_info.startswith("/quiz/attempts/") and request.path_info.endswith("/save/") and view == "unmatched":
            view = "quiz:autosave"  # answered by quiz.autosave.AutosaveMiddleware before the resolver
        metrics.REQUEST_LATENCY.labels(view=view).observe(time.perf_counter() - started)
        metrics.RESPONSES.labels(status_class=f"{status // 100}xx").inc()
        if status >= 500:
            metrics.SERVER_ERRORS.labels(view=view).inc()


def user_var_update(request) -> None:
    user_id = loaded_user_id(request)
    if user_id is not None:
        user_id_var.set(user_id)
