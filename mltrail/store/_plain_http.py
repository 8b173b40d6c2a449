"""A light keep-alive HTTP/1.1 path for small in-memory requests to a plain-HTTP server.

httpx spends about 1 ms of Python per small call (URL merging, cookies, auth flow, h11), and
even `http.client` parses response headers through the `email` package. A synchronous
`log_metric` is one small request and a tiny JSON answer, so this path writes the request in one
`sendall` and parses the answer itself: a status line, headers, and a body by Content-Length (or
chunked). Network failures are raised as httpx errors and answers the REST client must inspect
(errors, retries) become `httpx.Response`s, so its retry policy treats both paths alike.
Cookies are not kept.
"""

from __future__ import annotations

import os
import select
import socket
import threading
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

import httpx

_MAX_HEAD = 64 * 1024  # a larger response head is not one of ours
_NO_BODY = frozenset({204, 304})


@dataclass(frozen=True, slots=True)
class PlainResponse:
    """What the REST client reads from a successful answer."""

    status_code: int
    headers: list[tuple[str, str]]
    content: bytes

    @property
    def is_error(self) -> bool:
        return self.status_code >= 400

    def as_httpx(self, method: str, url: str) -> httpx.Response:
        """The full response object, for error reporting and the retry policy."""
        response = httpx.Response(self.status_code, headers=self.headers, content=self.content)
        response.request = httpx.Request(method, url)
        return response


class _Connection:
    """One keep-alive socket: a request goes out in one write, its answer is read back whole."""

    def __init__(self, host: str, port: int, timeout: float) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.sock: socket.socket | None = None
        self.pid = os.getpid()

    def exchange(self, request: bytes, method: str) -> PlainResponse:
        sock = self.sock
        if sock is not None and _closed_by_peer(sock):
            self.close()  # the server dropped the idle connection
            sock = None
        if sock is None:
            sock = socket.create_connection((self.host, self.port), self.timeout)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.sock = sock
        sock.sendall(request)
        reader = _Reader(sock)
        status, headers, keep_alive = reader.head()
        body = b"" if method == "HEAD" or status in _NO_BODY else reader.body(headers)
        if not keep_alive:
            self.close()
        return PlainResponse(status, headers, body)

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None


class _Reader:
    """Reads one HTTP/1.1 response from a socket."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buffer = b""

    def _more(self) -> None:
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionError("the server closed the connection mid-response")
        self.buffer += data

    def _line(self) -> bytes:
        while (end := self.buffer.find(b"\r\n")) < 0:
            self._more()
        line, self.buffer = self.buffer[:end], self.buffer[end + 2 :]
        return line

    def _exactly(self, size: int) -> bytes:
        while len(self.buffer) < size:
            self._more()
        data, self.buffer = self.buffer[:size], self.buffer[size:]
        return data

    def head(self) -> tuple[int, list[tuple[str, str]], bool]:
        while (end := self.buffer.find(b"\r\n\r\n")) < 0:
            if len(self.buffer) > _MAX_HEAD:
                raise ConnectionError("the response head is too large")
            self._more()
        head, self.buffer = self.buffer[:end], self.buffer[end + 4 :]
        status_line, *lines = head.decode("latin-1").split("\r\n")
        version, _, rest = status_line.partition(" ")
        if not version.startswith("HTTP/1."):
            raise ConnectionError(f"not an HTTP/1.x response: {status_line[:80]!r}")
        headers = []
        keep_alive = version == "HTTP/1.1"
        for line in lines:
            name, _, value = line.partition(":")
            name, value = name.strip().lower(), value.strip()
            headers.append((name, value))
            if name == "connection":
                keep_alive = value.lower() == "keep-alive"
        return int(rest[:3]), headers, keep_alive

    def body(self, headers: list[tuple[str, str]]) -> bytes:
        fields = dict(headers)
        if "chunked" in fields.get("transfer-encoding", ""):
            return self._chunked()
        if "content-length" in fields:
            return self._exactly(int(fields["content-length"]))
        while True:  # delimited by the server closing the connection
            data = self.sock.recv(65536)
            if not data:
                return self.buffer
            self.buffer += data

    def _chunked(self) -> bytes:
        parts = []
        while size := int(self._line().split(b";", 1)[0], 16):
            parts.append(self._exactly(size))
            self._line()
        while self._line():  # trailers end with an empty line
            pass
        return b"".join(parts)


class PlainHttp:
    """Keep-alive connections (one per thread) to a plain-HTTP server."""

    def __init__(
        self, host: str, port: int, prefix: str, headers: dict[str, str], timeout: float
    ) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.prefix = prefix.rstrip("/")
        netloc = host if port == 80 else f"{host}:{port}"
        self._fixed_headers = "".join(
            f"{name}: {value}\r\n" for name, value in {"Host": netloc, **headers}.items()
        )
        self._local = threading.local()
        self._opened: list[_Connection] = []

    def send(
        self,
        method: str,
        path: str,
        body: bytes | None,
        params: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> PlainResponse:
        target = self.prefix + path
        if params:
            target += "?" + urlencode(params, quote_via=quote)
        extra = "".join(f"{name}: {value}\r\n" for name, value in (headers or {}).items())
        length = f"Content-Length: {len(body)}\r\n" if body is not None else ""
        head = f"{method} {target} HTTP/1.1\r\n{self._fixed_headers}{extra}{length}\r\n"
        conn = self._connection()
        try:
            return conn.exchange(head.encode("latin-1") + (body or b""), method)
        except (OSError, ValueError) as exc:
            conn.close()
            # As httpx reports it, so the retry policy treats both paths alike.
            raise httpx.NetworkError(str(exc) or type(exc).__name__) from exc
        except BaseException:
            conn.close()
            raise

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{self.prefix}{path}"

    def _connection(self) -> _Connection:
        local = self._local
        conn: _Connection | None = getattr(local, "conn", None)
        if conn is None or conn.pid != os.getpid():  # never share a socket with a fork
            conn = local.conn = _Connection(self.host, self.port, self.timeout)
            self._opened.append(conn)
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
