"""A real webhook receiver for tests: an HTTP server on 127.0.0.1 in a thread that records every
POST, can answer errors for the first N requests, and can hold requests until released.

Tests wait on what it received with `wait_for` (a condition with a deadline, never a sleep).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

DEADLINE_S = 15.0


@dataclass(frozen=True)
class Delivery:
    path: str
    headers: dict[str, str]
    body: str
    status: int  # what the receiver answered

    @property
    def json(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.body)
        return data

    @property
    def event(self) -> str:
        return f"{self.json['entity']}.{self.json['action']}"

    def signature_ok(self, secret: str) -> bool:
        """Recompute the signature the way a receiver would (independently of mltrail)."""
        delivery_id = self.headers["X-MLflow-Delivery-Id"]
        timestamp = self.headers["X-MLflow-Timestamp"]
        message = f"{delivery_id}.{timestamp}.{self.body}".encode()
        digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
        expected = "v1," + base64.b64encode(digest).decode()
        return hmac.compare_digest(expected, self.headers.get("X-MLflow-Signature", ""))


class Receiver:
    def __init__(self) -> None:
        self.deliveries: list[Delivery] = []  # answered requests
        self.arrived = 0  # requests received, answered or not
        self.fail_next = 0  # answer `fail_status` to this many more requests
        self.fail_status = 503
        self.hold = threading.Event()  # cleared: requests wait until it is set
        self.hold.set()
        self._changed = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length).decode()
                with receiver._changed:
                    receiver.arrived += 1
                    receiver._changed.notify_all()
                receiver.hold.wait(DEADLINE_S)
                with receiver._changed:
                    status = 200
                    if receiver.fail_next > 0:
                        receiver.fail_next -= 1
                        status = receiver.fail_status
                    headers = dict(self.headers.items())
                    receiver.deliveries.append(Delivery(self.path, headers, body, status))
                    receiver._changed.notify_all()
                reply = b"received" if status == 200 else b"try again"
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._closed = False
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/hook"

    def wait_for(self, count: int, deadline: float = DEADLINE_S) -> list[Delivery]:
        """The first `count` deliveries, once they have arrived (fails after `deadline`)."""
        with self._changed:
            arrived = self._changed.wait_for(lambda: len(self.deliveries) >= count, deadline)
            assert arrived, f"expected {count} deliveries, got {self.deliveries}"
            return list(self.deliveries[:count])

    def wait_arrived(self, count: int, deadline: float = DEADLINE_S) -> None:
        with self._changed:
            assert self._changed.wait_for(lambda: self.arrived >= count, deadline), self.arrived

    def close(self) -> None:
        self.hold.set()
        if not self._closed:
            self._closed = True
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> Receiver:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# Lets webhooks reach an http receiver on 127.0.0.1, and retry without long waits.
LOCAL_WEBHOOK_ENV = {
    "MLTRAIL_WEBHOOK_ALLOWED_SCHEMES": "http,https",
    "MLTRAIL_WEBHOOK_ALLOW_PRIVATE_IPS": "true",
    "MLTRAIL_WEBHOOK_REQUEST_BACKOFF_FACTOR": "0.01",
}


def allow_local_webhooks(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in LOCAL_WEBHOOK_ENV.items():
        monkeypatch.setenv(name, value)
