"""/metrics, for Prometheus only: answered to the addresses in METRICS_ALLOWED_IPS (the client's
address as accounts.net.client_ip decides it, so a forged X-Forwarded-For does not help) or to a
request with `Authorization: Bearer <METRICS_TOKEN>`; anyone else gets a 404, as if there were
nothing here."""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import Http404, HttpResponse
from django.utils.crypto import constant_time_compare
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST

from accounts.net import client_ip

from . import metrics


@lru_cache(maxsize=8)
def _networks(allowed: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(a.strip(), strict=False) for a in allowed if a.strip())


def metrics_allowed(request) -> bool:
    """Whether this request may read the metrics: a listed address, or the bearer token."""
    token = settings.METRICS_TOKEN
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if token and header.startswith("Bearer ") and constant_time_compare(header[len("Bearer ") :].strip(), token):
        return True
    try:
        address = ipaddress.ip_address(client_ip(request))
    except ValueError:
        return False
    return any(address in network for network in _networks(tuple(settings.METRICS_ALLOWED_IPS)))


@never_cache
@require_GET
def metrics_view(request):
    if not metrics_allowed(request):
        raise Http404
    return HttpResponse(metrics.exposition(), content_type=CONTENT_TYPE_LATEST)
