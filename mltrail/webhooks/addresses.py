"""Which webhook URLs may be called: allowed schemes, and no private, loopback or link-local
addresses unless the settings allow them.

A hostname is judged by the addresses it resolves to, and `resolve_public` returns exactly
those addresses so delivery connects to one of them: a DNS answer that changes between the
check and the connection (DNS rebinding) cannot slip a private address in.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from mltrail.errors import InvalidParameter

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
DEFAULT_PORTS = {"http": 80, "https": 443}


class AddressRefused(InvalidParameter):
    """The endpoint resolves to an address deliveries may not reach."""


@dataclass(frozen=True, slots=True)
class Target:
    """A checked URL: scheme, host name (for Host and TLS), port, and request path."""

    scheme: str
    host: str
    port: int
    path: str


def check_url(url: str, allowed_schemes: Sequence[str]) -> Target:
    """The parts of `url`, if its scheme is allowed and it names a host."""
    if not url or not url.strip():
        raise InvalidParameter(f"Webhook URL cannot be empty or just whitespace: {url!r}")
    try:
        parts: SplitResult = urlsplit(url.strip())
        port = parts.port
    except ValueError as bad:
        raise InvalidParameter(f"Invalid webhook URL {url!r}: {bad}") from None
    scheme = parts.scheme.lower()
    allowed = [s.strip().lower() for s in allowed_schemes if s.strip()]
    if scheme not in allowed:
        raise InvalidParameter(
            f"Invalid webhook URL scheme: {parts.scheme!r}. "
            f"Allowed schemes are: {', '.join(allowed)}."
        )
    if not parts.hostname:
        raise InvalidParameter(f"Webhook URL must include a hostname: {url!r}")
    if scheme not in DEFAULT_PORTS:
        raise InvalidParameter(f"Webhooks can only be delivered over http(s), not {scheme!r}.")
    path = parts.path or "/"
    if parts.query:
        path += f"?{parts.query}"
    return Target(scheme, parts.hostname, port or DEFAULT_PORTS[scheme], path)


def is_public(address: IPAddress) -> bool:
    """Globally routable unicast: not private, loopback, link-local, multicast or reserved."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is not None:
            return is_public(embedded)
    return address.is_global and not address.is_multicast


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address `host` resolves to (an IP literal resolves to itself)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise InvalidParameter(f"Cannot resolve webhook URL hostname {host!r}: {error}") from None
    found: list[IPAddress] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in found:
            found.append(address)
    return found


def resolve_public(host: str, port: int, *, allow_private: bool) -> list[IPAddress]:
    """The addresses to connect to; refused if any of them is private (unless allowed)."""
    addresses = resolve(host, port)
    if not allow_private:
        refused = [str(a) for a in addresses if not is_public(a)]
        if refused:
            raise AddressRefused(
                f"Webhook URL hostname {host!r} resolves to a private, loopback or link-local "
                f"address ({', '.join(refused)}); set MLFLOW_WEBHOOK_ALLOW_PRIVATE_IPS=true "
                "to allow it."
            )
    return addresses


def check_destination(url: str, allowed_schemes: Sequence[str], *, allow_private: bool) -> Target:
    """What a store checks when a webhook is created or its URL changes."""
    target = check_url(url, allowed_schemes)
    if not allow_private:
        resolve_public(target.host, target.port, allow_private=False)
    return target
