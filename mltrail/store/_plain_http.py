"""A light keep-alive HTTP/1.1 path for small in-memory requests to a plain-HTTP server.

httpx spends about 1 ms of Python per small call (URL merging, cookies, auth flow, h11);
`http.client` does the same exchange in a tenth of that, which is what a synchronous
`log_metric` costs. Responses come back as `httpx.Response` and network failures as httpx
errors, so the REST client's retry policy treats both paths alike. Cookies are not kept.
"""

from __future__ import annotations

import http.client
import os
import select
import socket
import threading
import urllib.request
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlencode

import httpx


class _Connection(http.client.HTTPConnection):
    """Sends a request's head and in-memory body in one write: one packet, one server wake-up
    (http.client writes them separately, and Nagle would hold the body for the head's ACK)."""

    _held_body: bytes | None = None

    def connect(self) -> None:
        super().connect()
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def endheaders(self, message_body: Any = None, *, encode_chunked: bool = False) -> None:
        if isinstance(message_body, bytes) and not encode_chunked:
            self._held_body, message_body = message_body, None
        super().endheaders(message_body, encode_chunked=encode_chunked)

    def send(self, data: Any) -> None:
        held, self._held_body = self._held_body, None
        super().send(data + held if held else data)


class PlainHttp:
    """Keep-alive `http.client` connections (one per thread) to a plain-HTTP server."""

    def __init__(
        self, host: str, port: int, prefix: str, headers: dict[str, str], timeout: float
    ) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.prefix = prefix.rstrip("/")
        self.headers = headers
        self._local = threading.local()
        self._opened: list[http.client.HTTPConnection] = []

    def send(
        self,
        method: str,
        path: str,
        body: bytes | None,
        params: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        target = self.prefix + path
        if params:
            target += "?" + urlencode(params, quote_via=quote)
        conn = self._connection()
        try:
            conn.request(method, target, body, {**self.headers, **(headers or {})})
            answer = conn.getresponse()
            content = answer.read()
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            # As httpx reports it, so the retry policy treats both paths alike.
            raise httpx.NetworkError(str(exc) or type(exc).__name__) from exc
        except BaseException:
            conn.close()
            raise
        response = httpx.Response(answer.status, headers=answer.getheaders(), content=content)
        if response.is_error:  # error messages name the request's path
            response.request = httpx.Request(method, f"http://{self.host}:{self.port}{target}")
        return response

    def _connection(self) -> http.client.HTTPConnection:
        local = self._local
        conn: http.client.HTTPConnection | None = getattr(local, "conn", None)
        if conn is None or local.pid != os.getpid():  # never share a socket with a fork
            conn = _Connection(self.host, self.port, timeout=self.timeout)
            local.conn, local.pid = conn, os.getpid()
            self._opened.append(conn)
        elif conn.sock is not None and _closed_by_peer(conn.sock):
            conn.close()  # the server dropped the idle connection; http.client reopens it
        return conn

    def close(self) -> None:
        for conn in self._opened:
            conn.close()
        self._opened.clear()
        self._local = threading.local()


def _closed_by_peer(sock: Any) -> bool:
    """An idle keep-alive socket that reads as ready has been closed (or broken) by the peer."""
    try:
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)


def proxied(host: str) -> bool:
    """Whether the environment routes plain HTTP to `host` through a proxy (httpx would)."""
    proxies = urllib.request.getproxies()
    if not (proxies.get("http") or proxies.get("all")):
        return False
    return not urllib.request.proxy_bypass(host)
