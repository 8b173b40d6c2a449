"""The plain-HTTP path reads every response framing a server may use, from a real socket."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import httpx
import pytest

from mltrail.store._plain_http import PlainHttp


@pytest.fixture
def raw_server() -> Iterator[tuple[list[bytes], list[bytes], int]]:
    """A server that answers each request on a connection with the next scripted bytes."""
    answers: list[bytes] = []
    requests: list[bytes] = []
    listener = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                while answers:
                    data = conn.recv(65536)
                    if not data:
                        break
                    requests.append(data)
                    answer = answers.pop(0)
                    conn.sendall(answer)
                    if b"Connection: close" in answer or b"HTTP/1.0" in answer:
                        break

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield answers, requests, listener.getsockname()[1]
    listener.close()
    thread.join(timeout=5)


def _client(port: int) -> PlainHttp:
    return PlainHttp("127.0.0.1", port, "/base", {"User-Agent": "t"}, timeout=5)


def test_content_length_chunked_and_no_body_on_one_connection(
    raw_server: tuple[list[bytes], list[bytes], int],
) -> None:
    answers, requests, port = raw_server
    answers += [
        b'HTTP/1.1 200 OK\r\ncontent-length: 7\r\ncontent-type: application/json\r\n\r\n{"a":1}',
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"3\r\nabc\r\n4;x=y\r\ndefg\r\n0\r\n\r\n",
        b"HTTP/1.1 204 No Content\r\n\r\n",
    ]
    client = _client(port)
    first = client.send("POST", "/x", b'{"k":2}', headers={"Content-Type": "application/json"})
    assert (first.status_code, first.content) == (200, b'{"a":1}')
    assert ("content-type", "application/json") in first.headers
    assert client.send("GET", "/y", None, params={"q": "a b"}).content == b"abcdefg"
    assert client.send("DELETE", "/z", None).content == b""
    client.close()
    assert requests[0].startswith(b"POST /base/x HTTP/1.1\r\nHost: 127.0.0.1:")
    assert requests[0].endswith(b'Content-Length: 7\r\n\r\n{"k":2}')
    assert requests[1].startswith(b"GET /base/y?q=a%20b HTTP/1.1\r\n")


def test_a_body_delimited_by_close_and_a_reconnect(
    raw_server: tuple[list[bytes], list[bytes], int],
) -> None:
    answers, _, port = raw_server
    answers += [
        b"HTTP/1.0 200 OK\r\n\r\nuntil the end",
        b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok",
    ]
    client = _client(port)
    assert client.send("GET", "/a", None).content == b"until the end"
    assert client.send("GET", "/b", None).content == b"ok"  # a new connection
    client.close()


def test_a_server_that_hangs_up_mid_answer_is_a_network_error(
    raw_server: tuple[list[bytes], list[bytes], int],
) -> None:
    answers, _, port = raw_server
    answers.append(b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\nConnection: close\r\n\r\nshort")
    client = _client(port)
    with pytest.raises(httpx.NetworkError, match="closed the connection"):
        client.send("GET", "/a", None)
    client.close()


def test_errors_become_httpx_responses_naming_the_url(
    raw_server: tuple[list[bytes], list[bytes], int],
) -> None:
    answers, _, port = raw_server
    answers.append(b"HTTP/1.1 404 Not Found\r\ncontent-length: 2\r\n\r\n{}")
    client = _client(port)
    answer = client.send("GET", "/missing", None)
    assert answer.is_error
    response = answer.as_httpx("GET", client.url("/missing"))
    assert response.status_code == 404
    assert response.request.url.path == "/base/missing"
    client.close()
