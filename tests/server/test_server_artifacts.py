"""The artifact proxy and run/model artifact listings: streaming, attachments, confinement."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from mltrail.server.settings import ServerSettings

if TYPE_CHECKING:
    from tests.server.conftest import Api

pytestmark = pytest.mark.anyio

PROXY = "/api/2.0/mlflow-artifacts/artifacts"


async def put(client: httpx.AsyncClient, path: str, content: bytes) -> None:
    response = await client.put(f"{PROXY}/{path}", content=content)
    assert response.status_code == 200, response.text


async def test_upload_list_download_delete(client: httpx.AsyncClient) -> None:
    await put(client, "0/r/artifacts/dir/f.txt", b"hello")
    await put(client, "0/r/artifacts/dir/sub/page.html", b"<script>alert(1)</script>")
    await put(client, "0/r/artifacts/x.json", b"{}")
    top = await client.get(PROXY, params={"path": "0/r/artifacts"})
    assert top.json() == {
        "files": [
            {"path": "dir", "is_dir": True},
            {"path": "x.json", "is_dir": False, "file_size": 2},
        ]
    }
    inner = await client.get(PROXY, params={"path": "0/r/artifacts/dir"})
    assert [f["path"] for f in inner.json()["files"]] == ["f.txt", "sub"]
    assert (await client.get(PROXY, params={"path": "0/none"})).json() == {}

    download = await client.get(f"{PROXY}/0/r/artifacts/dir/f.txt")
    assert download.content == b"hello"
    assert download.headers["content-disposition"].startswith("attachment;")
    assert download.headers["x-content-type-options"] == "nosniff"
    html = await client.get(f"{PROXY}/0/r/artifacts/dir/sub/page.html")
    assert html.headers["content-type"].startswith("text/plain")  # never rendered as a page

    assert (await client.delete(f"{PROXY}/0/r/artifacts/dir")).json() == {}
    after = await client.get(PROXY, params={"path": "0/r/artifacts"})
    assert [f["path"] for f in after.json()["files"]] == ["x.json"]


async def test_download_errors(client: httpx.AsyncClient) -> None:
    missing = await client.get(f"{PROXY}/0/nope.txt")
    assert missing.status_code == 404
    assert missing.json() == {
        "error_code": "RESOURCE_DOES_NOT_EXIST",
        "message": "No such artifact: '0/nope.txt'",
    }
    await put(client, "0/d/f.txt", b"x")
    directory = await client.get(f"{PROXY}/0/d")
    assert directory.status_code == 400
    assert directory.json()["error_code"] == "INVALID_PARAMETER_VALUE"


async def test_large_uploads_and_downloads_stream(
    client: httpx.AsyncClient, settings: ServerSettings
) -> None:
    payload = os.urandom(3 * 1024 * 1024 + 17)

    async def chunks() -> object:
        for start in range(0, len(payload), 65536):
            yield payload[start : start + 65536]

    response = await client.put(f"{PROXY}/0/big/blob.bin", content=chunks())
    assert response.status_code == 200
    assert settings.artifacts_destination is not None
    assert (Path(settings.artifacts_destination) / "0/big/blob.bin").read_bytes() == payload
    async with client.stream("GET", f"{PROXY}/0/big/blob.bin") as download:
        received = b"".join([chunk async for chunk in download.aiter_bytes()])
    assert received == payload


TRAVERSALS = [
    "%2e%2e/%2e%2e/etc/passwd",
    "..%2f..%2fetc%2fpasswd",
    "0/%252e%252e/%252e%252e/x",
    "0/..%5c..%5cx",
    "%2fetc%2fpasswd",
    "0/a%00b",
]


@pytest.mark.parametrize("path", TRAVERSALS)
async def test_traversal_is_refused_on_every_proxy_route(
    client: httpx.AsyncClient, path: str
) -> None:
    attempts = [
        client.get(f"{PROXY}/{path}"),
        client.put(f"{PROXY}/{path}", content=b"pwned"),
        client.delete(f"{PROXY}/{path}"),
        client.get(PROXY, params={"path": path.replace("%2f", "/")}),
        client.post(f"/api/2.0/mlflow-artifacts/mpu/create/{path}", json={}),
        client.post(f"/api/2.0/mlflow-artifacts/mpu/complete/{path}", json={"upload_id": "u"}),
        client.post(f"/api/2.0/mlflow-artifacts/mpu/abort/{path}", json={"upload_id": "u"}),
    ]
    for attempt in attempts:
        response = await attempt
        assert response.status_code == 400, (response.request.url, response.text)
        assert response.json()["error_code"] == "INVALID_PARAMETER_VALUE"


async def test_absolute_list_paths_are_refused(client: httpx.AsyncClient) -> None:
    for path in ("/etc", "..", "a/../../b", "C:\\Windows"):
        response = await client.get(PROXY, params={"path": path})
        assert response.status_code == 400, path


async def test_symlink_escapes_are_refused(
    client: httpx.AsyncClient, settings: ServerSettings, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("TOPSECRET")
    assert settings.artifacts_destination is not None
    root = Path(settings.artifacts_destination)
    (root / "0").mkdir(parents=True)
    (root / "0" / "link").symlink_to(outside)
    for response in (
        await client.get(f"{PROXY}/0/link/secret.txt"),
        await client.get(PROXY, params={"path": "0/link"}),
        await client.put(f"{PROXY}/0/link/new.txt", content=b"x"),
    ):
        assert response.status_code == 400
        assert "TOPSECRET" not in response.text
        assert str(tmp_path) not in response.text  # no server paths in messages
    assert sorted(p.name for p in outside.iterdir()) == ["secret.txt"]


async def test_multipart_upload_is_not_implemented_for_local_storage(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        "/api/2.0/mlflow-artifacts/mpu/create/0/big.bin", json={"path": "0/big.bin", "num_parts": 2}
    )
    assert response.status_code == 501
    assert response.json()["error_code"] == "NOT_IMPLEMENTED"


async def test_run_artifact_listing(api: Api) -> None:
    run_id = await api.new_run()
    await put(api.client, f"0/{run_id}/artifacts/model/MLmodel", b"flavors: {}")
    await put(api.client, f"0/{run_id}/artifacts/notes.txt", b"hi")
    top = await api.get("/artifacts/list", run_id=run_id)
    assert top["root_uri"] == f"mlflow-artifacts:/0/{run_id}/artifacts"
    assert top["files"] == [
        {"path": "model", "is_dir": True},
        {"path": "notes.txt", "is_dir": False, "file_size": 2},
    ]
    inner = await api.get("/artifacts/list", run_id=run_id, path="model")
    assert inner["files"] == [{"path": "model/MLmodel", "is_dir": False, "file_size": 11}]
    bad = await api.client.get(
        "/api/2.0/mlflow/artifacts/list", params={"run_id": run_id, "path": "../../"}
    )
    assert bad.status_code == 400


async def test_logged_model_artifact_listing(api: Api) -> None:
    model = (await api.post("/logged-models", {"experiment_id": "0", "name": "m"}))["model"]["info"]
    model_id = model["model_id"]
    await put(api.client, f"0/models/{model_id}/artifacts/MLmodel", b"x")
    listed = await api.get(f"/logged-models/{model_id}/artifacts/directories")
    assert listed["root_uri"] == model["artifact_uri"]
    assert listed["files"] == [{"path": "MLmodel", "is_dir": False, "file_size": 1}]
    bad = await api.client.get(
        f"/api/2.0/mlflow/logged-models/{model_id}/artifacts/directories",
        params={"artifact_directory_path": "%2e%2e/%2e%2e"},
    )
    assert bad.status_code == 400
