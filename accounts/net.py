"""Who is asking: the client's address, as far as this server can trust it.

Every per-address limit (allauth's login and sign-up limits, the address stored with a quiz
attempt) reads the address here, so one rule decides whom to believe."""

import ipaddress
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(p.strip(), strict=False) for p in proxies if p.strip())


def _parse(value: str):
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def _is_trusted(address, networks) -> bool:
    return address is not None and any(address in net for net in networks)


def client_ip(request) -> str:
    """The address of the client that sent `request`.

    X-Forwarded-For is only believed when the connection comes from a proxy listed in
    settings.TRUSTED_PROXIES (addresses or networks; empty by default). Then the header is read
    from the right, skipping our own proxies: the first address that is not one of ours is the
    client — everything to its left was written by the client and may be forged."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    networks = _networks(tuple(settings.TRUSTED_PROXIES))
    if not networks or not _is_trusted(_parse(remote), networks):
        return remote
    hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        address = _parse(hop)
        if address is None:
            # Garbage in the header: stop believing it at that point.
            return remote
        if not _is_trusted(address, networks):
            return str(address)
    # Every hop is one of our proxies (or there is no header): the closest address we know.
    return str(_parse(hops[0])) if hops else remote
