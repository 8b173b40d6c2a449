"""`RestClient` against a scripted real HTTP server: retries, backoff, errors and auth."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from mltrail.errors import MltrailError, RestError
from mltrail.settings import Settings
from mltrail.store.rest_client import RestClient

FAST = Settings(http_request_max_retries=3, http_request_backoff_factor=0.001)


class Script:
    """Responses to hand out in order (status, body), and what the server saw."""

    def __init__(self) -> None:
        self.replies: list[tuple[int, bytes, dict[str, str]]] = []
        self.seen: list[dict[str, str]] = []
        self.paths: list[str] = []
        self.client_ports: list[int] = []

    def reply(self, status: int, body: object = b"", **headers: str) -> None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.replies.append((status, data, headers))


@pytest.fixture
def scripted() -> Iterator[tuple[Script, str]]:
    script = Script()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep connections open between requests

        def _answer(self) -> None:
            script.client_ports.append(self.client_address[1])
            length = int(self.headers.get("content-length") or 0)
            self.rfile.read(length)
            script.seen.append(dict(self.headers))
            script.paths.append(self.path)
            status, body, headers = script.replies.pop(0) if script.replies else (200, b"{}", {})
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name.replace("_", "-"), value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PUT = _answer

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield script, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_transient_statuses_are_retried(scripted: tuple[Script, str]) -> None:
    script, url = scripted
    script.reply(503, b"busy")
    script.reply(429, b"slow down", Retry_After="0")
    script.reply(500, b"<html>proxy error</html>")
    script.reply(200, {"ok": True})
    assert RestClient(url, FAST).call("POST", "/x", {"a": 1}) == {"ok": True}
    assert len(script.paths) == 4


def test_error_json_is_an_answer_not_a_hiccup(scripted: tuple[Script, str]) -> None:
    script, url = scripted
    script.reply(500, {"error_code": "INVALID_STATE", "message": "deleted"})
    with pytest.raises(RestError) as caught:
        RestClient(url, FAST).call("POST", "/x", {})
    assert caught.value.error_code == "INVALID_STATE"
    assert len(script.paths) == 1


def test_client_errors_carry_the_server_code(scripted: tuple[Script, str]) -> None:
    script, url = scripted
    script.reply(404, {"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "No run"})
    with pytest.raises(RestError) as caught:
        RestClient(url, FAST).call("GET", "/x", params={"run_id": "r"})
    assert caught.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    assert "No run" in caught.value.message


def test_retries_run_out(scripted: tuple[Script, str]) -> None:
    script, url = scripted
    for _ in range(4):
        script.reply(503, b"down")
    with pytest.raises(MltrailError) as caught:
        RestClient(url, FAST).call("GET", "/x")
    assert caught.value.error_code == "TEMPORARILY_UNAVAILABLE"
    assert len(script.paths) == 4


def test_unreachable_server_is_temporarily_unavailable() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(MltrailError) as caught:
        RestClient(f"http://127.0.0.1:{port}", FAST).call("GET", "/x")
    assert caught.value.error_code == "TEMPORARILY_UNAVAILABLE"


def test_query_lists_repeat_and_bools_are_lowercase(scripted: tuple[Script, str]) -> None:
    script, url = scripted
    RestClient(url, FAST).call("GET", "/q", params={"ids": ["a", "b"], "flag": True, "no": None})
    assert script.paths == ["/q?ids=a&ids=b&flag=true"]


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        (Settings(tracking_token="t0k"), "Bearer t0k"),
        (Settings(tracking_username="u", tracking_password="p"), "Basic dTpw"),
    ],
)
def test_auth_from_settings(
    scripted: tuple[Script, str], settings: Settings, expected: str
) -> None:
    script, url = scripted
    RestClient(url, settings).call("GET", "/x")
    assert script.seen[0]["Authorization"] == expected


def test_one_keep_alive_connection_serves_many_calls(scripted: tuple[Script, str]) -> None:
    script, url = scripted
    client = RestClient(url, FAST)
    for _ in range(3):
        client.call("GET", "/x")
    client.close()
    assert len(script.client_ports) == 3
    assert len(set(script.client_ports)) == 1


def test_a_connection_the_server_dropped_is_replaced_without_a_retry(
    scripted: tuple[Script, str],
) -> None:
    script, url = scripted
    script.reply(200, {"n": 1}, Connection="close")  # the server closes after answering
    client = RestClient(url, Settings(http_request_max_retries=0))
    assert client.call("POST", "/x", {"a": 1}) == {"n": 1}
    assert client.call("POST", "/x", {"a": 2}) == {}
    client.close()
    assert len(script.paths) == 2
    assert len(set(script.client_ports)) == 2


def test_query_and_body_reach_the_server_as_sent(scripted: tuple[Script, str]) -> None:
    script, url = scripted
    client = RestClient(url + "/prefix", FAST)
    client.call("GET", "/x", params={"name": "a b/c&d", "ids": ["1", "2"]})
    client.close()
    assert script.paths == ["/prefix/x?name=a%20b%2Fc%26d&ids=1&ids=2"]
