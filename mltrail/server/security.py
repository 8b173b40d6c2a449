"""Browser-facing protections, as one pure ASGI middleware (MLflow's defaults).

- Host-header allow-list against DNS rebinding (health checks are exempt).
- CORS: allowed origins get credentialed CORS headers and preflights; a state-changing
  request from any other origin is refused (a browser would send it before asking).
- ``X-Frame-Options`` and ``X-Content-Type-Options: nosniff`` on every response.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mltrail.server.settings import ServerSettings

HEALTH_PATHS = frozenset({"/health", "/version"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CORS_METHODS = "GET, POST, PUT, PATCH, DELETE, OPTIONS"
PREFLIGHT_MAX_AGE = "600"


class Patterns:
    """Case-insensitive glob patterns (``*`` wildcards); ``*`` alone allows everything."""

    def __init__(self, patterns: Iterable[str]) -> None:
        cleaned = [p.strip().lower() for p in patterns if p.strip()]
        self.any = "*" in cleaned
        # Only `*` is special: brackets in "[::1]" are literal, unlike fnmatch's.
        alternatives = "|".join(re.escape(p).replace(r"\*", ".*") for p in cleaned)
        self.regex = re.compile(f"(?:{alternatives})" if cleaned else "(?!)")

    def match(self, value: str) -> bool:
        return self.any or self.regex.fullmatch(value.lower()) is not None


def host_without_port(host: str) -> str:
    if host.startswith("["):  # [::1]:5000
        return host.split("]", 1)[0] + "]"
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class SecurityMiddleware:
    def __init__(self, app: ASGIApp, settings: ServerSettings) -> None:
        self.app = app
        self.hosts = Patterns(settings.allowed_hosts)
        self.origins = Patterns(settings.cors_allowed_origins)
        self.frame_options = settings.x_frame_options

    def host_allowed(self, host: str) -> bool:
        return self.hosts.match(host) or self.hosts.match(host_without_port(host))

    def origin_allowed(self, origin: str, host: str) -> bool:
        # The UI served by this server is same-origin whatever its address.
        return self.origins.match(origin) or urlsplit(origin).netloc.lower() == host.lower()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        host = headers.get("host", "")
        method = scope["method"]
        if scope["path"] not in HEALTH_PATHS and not self.host_allowed(host):
            refusal = "Invalid Host header - possible DNS rebinding attack detected"
            await PlainTextResponse(refusal, 403)(scope, receive, send)
            return
        origin = headers.get("origin")
        allowed_origin = origin is not None and self.origin_allowed(origin, host)
        if (
            origin is not None
            and method == "OPTIONS"
            and "access-control-request-method" in headers
        ):
            await self.preflight(origin, allowed_origin, headers)(scope, receive, send)
            return
        if origin is not None and not allowed_origin and method not in SAFE_METHODS:
            await PlainTextResponse("Cross-origin request blocked", 403)(scope, receive, send)
            return
        await self.app(scope, receive, self.decorate(send, origin if allowed_origin else None))

    def preflight(self, origin: str, allowed: bool, headers: Headers) -> PlainTextResponse:
        if not allowed:
            return PlainTextResponse("Disallowed CORS origin", 400, headers={"Vary": "Origin"})
        return PlainTextResponse(
            "OK",
            headers={
                "Access-Control-Allow-Origin": origin,
                "Access-Control-Allow-Credentials": "true",
                "Access-Control-Allow-Methods": CORS_METHODS,
                "Access-Control-Allow-Headers": headers.get("access-control-request-headers", ""),
                "Access-Control-Max-Age": PREFLIGHT_MAX_AGE,
                "Vary": "Origin",
            },
        )

    def decorate(self, send: Send, cors_origin: str | None) -> Send:
        frame_options = self.frame_options

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                out = MutableHeaders(scope=message)
                out.setdefault("X-Content-Type-Options", "nosniff")
                if frame_options:
                    out.setdefault("X-Frame-Options", frame_options)
                if cors_origin is not None:
                    out["Access-Control-Allow-Origin"] = cors_origin
                    out["Access-Control-Allow-Credentials"] = "true"
                    out.add_vary_header("Origin")
            await send(message)

        return send_with_headers
