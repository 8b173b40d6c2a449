"""One keep-alive HTTP connection pool to a tracking server, with retries, auth and TLS.

Shared by the REST tracking store and the proxied artifact repository. Transient failures
(connection errors, timeouts, 408/429/502/503/504 and 500s that are not MLflow error JSON) are
retried with exponential backoff and jitter; MLflow error JSON becomes a `RestError` carrying
the server's error code. Auth and TLS come from `Settings` (MLFLOW_TRACKING_USERNAME/PASSWORD,
MLFLOW_TRACKING_TOKEN, MLFLOW_TRACKING_INSECURE_TLS, ...).
"""

from __future__ import annotations

import base64
import logging
import random
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, cast
from urllib.parse import urlsplit

import httpx

from mltrail.errors import ErrorCode, MltrailError, RestError
from mltrail.settings import Settings
from mltrail.store._plain_http import PlainHttp, PlainResponse, proxied
from mltrail.wire.json import dumps, loads

log = logging.getLogger(__name__)

BodyFactory = Callable[[], Iterable[bytes]]
RETRY_STATUSES = frozenset({408, 429, 502, 503, 504})
MAX_BACKOFF_S = 60.0
JSON_HEADERS = {"Content-Type": "application/json"}


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("mltrail")
    except PackageNotFoundError:  # pragma: no cover - source tree without metadata
        return "0"


class RestClient:
    """JSON calls and streamed transfers against one server (`base_url`, no trailing /)."""

    def __init__(
        self,
        base_url: str,
        settings: Settings | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.settings = settings or Settings.from_env()
        self.base_url = base_url.rstrip("/")
        self._transport = transport
        self._client: httpx.Client | None = None
        self._plain: PlainHttp | None = None
        self._plain_decided = False
        self._lock = threading.Lock()

    # -- connection ----------------------------------------------------------------------------

    @property
    def client(self) -> httpx.Client:
        """The pooled client, created on first use (and again after a fork or close)."""
        if self._client is None:
            with self._lock:
                if self._client is None:
                    self._client = self._build_client()
        return self._client

    def _build_client(self) -> httpx.Client:
        s = self.settings
        headers = {"User-Agent": f"mltrail/{_version()}"}
        if s.tracking_token:
            headers["Authorization"] = f"Bearer {s.tracking_token}"
        auth = None
        if s.tracking_username and s.tracking_password:
            auth = httpx.BasicAuth(s.tracking_username, s.tracking_password)
        verify: bool | str = s.tracking_server_cert_path or not s.tracking_insecure_tls
        return httpx.Client(
            base_url=self.base_url,
            headers=headers,
            auth=auth,
            verify=verify,
            cert=s.tracking_client_cert_path,
            timeout=httpx.Timeout(s.http_request_timeout),
            limits=httpx.Limits(max_keepalive_connections=16, keepalive_expiry=30),
            transport=self._transport,
        )

    @property
    def plain(self) -> PlainHttp | None:
        """The light path for in-memory bodies to a plain-HTTP server, when it applies."""
        if not self._plain_decided:
            with self._lock:
                if not self._plain_decided:
                    self._plain = self._build_plain()
                    self._plain_decided = True
        return self._plain

    def _build_plain(self) -> PlainHttp | None:
        # See _plain_http for why; TLS, proxies and injected transports stay with httpx.
        url = urlsplit(self.base_url)
        if self._transport is not None or url.scheme != "http" or not url.hostname:
            return None
        if proxied(url.hostname):
            return None
        s = self.settings
        headers = {"User-Agent": f"mltrail/{_version()}"}
        if s.tracking_username and s.tracking_password:
            pair = f"{s.tracking_username}:{s.tracking_password}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
        if s.tracking_token:
            headers["Authorization"] = f"Bearer {s.tracking_token}"
        return PlainHttp(url.hostname, url.port or 80, url.path, headers, s.http_request_timeout)

    def close(self) -> None:
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None
            if self._plain is not None:
                self._plain.close()

    # -- JSON calls ----------------------------------------------------------------------------

    def call(
        self,
        method: str,
        path: str,
        body: Mapping[str, Any] | None = None,
        *,
        params: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Send one API call; return the response JSON object (``{}`` when empty)."""
        content = dumps(body) if body is not None else None
        response = self._send(
            method,
            path,
            content=content,
            params=_query(params) if params else None,
            headers=JSON_HEADERS if content is not None else None,
        )
        if not response.content:
            return {}
        data = loads(response.content)
        return data if isinstance(data, dict) else {}

    # -- streams -------------------------------------------------------------------------------

    def upload(self, path: str, body: bytes | Iterable[bytes] | BodyFactory) -> None:
        """PUT a body. A factory (called once per attempt) or bytes can be retried; a plain
        iterable of chunks is streamed once."""
        retry = isinstance(body, bytes) or callable(body)
        self._send("PUT", path, content=body, retry=retry)

    def download(self, path: str, chunk_size: int = 1 << 20) -> Iterator[bytes]:
        """GET a file as a stream of chunks, never held in memory whole.

        The request is made before returning, so a missing file fails here, not while
        iterating; the connection goes back to the pool when the iteration ends.
        """
        # Streams never take the plain path: this is an httpx.Response.
        response = cast("httpx.Response", self._send("GET", path, stream=True))

        def chunks() -> Iterator[bytes]:
            try:
                yield from response.iter_bytes(chunk_size)
            finally:
                response.close()

        return chunks()

    # -- retries -------------------------------------------------------------------------------

    def _send(
        self,
        method: str,
        path: str,
        *,
        content: Any = None,
        params: Any = None,
        headers: Mapping[str, str] | None = None,
        retry: bool = True,
        stream: bool = False,
    ) -> httpx.Response | PlainResponse:
        for attempt in self._attempts() if retry else _single():
            body = content() if callable(content) else content
            plain = None if stream or not isinstance(body, bytes | None) else self.plain
            try:
                if plain is not None:
                    answer = plain.send(method, path, body, params, headers)
                    if answer.status_code < 400:
                        return answer
                    response = answer.as_httpx(method, plain.url(path))
                else:
                    request = self.client.build_request(
                        method, path, content=body, params=params, headers=headers
                    )
                    response = self.client.send(request, stream=stream)
            except httpx.TransportError as exc:
                attempt.failed(exc)
                continue
            if stream and response.is_error:
                response.read()  # error bodies are small; the stream is done with
                response.close()
            if retry and self._retryable(response) and attempt.more:
                attempt.failed(None, response)
                continue
            if response.is_error:
                raise error_from(response)
            return response
        raise AssertionError("unreachable: the last attempt returns or raises")  # pragma: no cover

    def _attempts(self) -> Iterator[_Attempt]:
        retries = max(0, self.settings.http_request_max_retries)
        for number in range(retries + 1):
            yield _Attempt(number, retries, self.settings.http_request_backoff_factor)

    @staticmethod
    def _retryable(response: httpx.Response) -> bool:
        if response.status_code in RETRY_STATUSES:
            return True
        # A 500 with MLflow's error JSON is a definite answer; anything else is a hiccup.
        return response.status_code == 500 and not _is_error_json(response)


class _Attempt:
    def __init__(self, number: int, retries: int, backoff_factor: float) -> None:
        self.number = number
        self.more = number < retries
        self.backoff_factor = backoff_factor

    def failed(self, exc: Exception | None, response: httpx.Response | None = None) -> None:
        """Wait before the next attempt, or raise when this was the last one."""
        if not self.more:
            if exc is not None:
                raise MltrailError(
                    f"Could not reach the tracking server: {exc}", ErrorCode.TEMPORARILY_UNAVAILABLE
                ) from exc
            assert response is not None
            raise error_from(response)
        delay = self.backoff_factor * (2**self.number) * (0.5 + random.random())
        if response is not None and (after := response.headers.get("retry-after", "")).isdigit():
            delay = max(delay, float(after))
        log.debug("retrying in %.2fs after %s", delay, exc or response)
        time.sleep(min(delay, MAX_BACKOFF_S))


def _single() -> Iterator[_Attempt]:
    yield _Attempt(0, 0, 0.0)


def _is_error_json(response: httpx.Response) -> bool:
    try:
        data = response.json()
    except ValueError:
        return False
    return isinstance(data, dict) and "error_code" in data


def error_from(response: httpx.Response) -> MltrailError:
    """The server's error as an exception: its MLflow error JSON, or the status and text."""
    if _is_error_json(response):
        return RestError(response.json())
    text = response.text[:500]
    return MltrailError(
        f"API request to {response.request.url.path} failed with HTTP {response.status_code}: "
        f"{text}",
        ErrorCode.parse(response.status_code),
    )


def _query(params: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Query pairs: lists become repeated keys, bools true/false, None is left out."""
    pairs: list[tuple[str, str]] = []
    for key, value in params.items():
        values = value if isinstance(value, list | tuple) else [value]
        for item in values:
            if item is None:
                continue
            text = ("true" if item else "false") if isinstance(item, bool) else str(item)
            pairs.append((key, text))
    return pairs
