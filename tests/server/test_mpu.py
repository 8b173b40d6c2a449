"""The artifact proxy over an S3 destination (moto): streamed uploads and downloads, and the
multipart-upload endpoints that hand out presigned part URLs, in process and to the official
`mlflow` client through a live server."""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from mltrail.server.settings import ServerSettings
from tests.compat.conftest import LiveServer, stop_server
from tests.s3_server import MotoServer, moto_s3, s3_env, start_server_on_s3

__all__ = ["moto_s3", "s3_env"]  # fixtures, imported for pytest

MiB = 1024 * 1024
ARTIFACTS = "/api/2.0/mlflow-artifacts"
PROXY = f"{ARTIFACTS}/artifacts"
UNSUPPORTED = "Multipart upload is not supported for the current artifact repository"


@pytest.fixture
def settings(tmp_path: Path, s3_env: str) -> ServerSettings:
    """The in-process server of tests/server/conftest.py, proxying into S3."""
    return ServerSettings(
        backend_store_uri=f"sqlite:///{tmp_path / 'mltrail.db'}",
        artifacts_destination=f"s3://{s3_env}/mlartifacts",
    )


def objects(moto: MotoServer, bucket: str) -> dict[str, bytes]:
    s3 = moto.client()
    listed = s3.list_objects_v2(Bucket=bucket).get("Contents", [])
    return {o["Key"]: s3.get_object(Bucket=bucket, Key=o["Key"])["Body"].read() for o in listed}


def pending_uploads(moto: MotoServer, bucket: str) -> list[object]:
    uploads: list[object] = moto.client().list_multipart_uploads(Bucket=bucket).get("Uploads", [])
    return uploads


# -- in process ------------------------------------------------------------------------------

anyio_test = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@anyio_test
async def test_proxy_streams_into_s3_lists_and_deletes(
    client: httpx.AsyncClient, moto_s3: MotoServer, s3_env: str
) -> None:
    big = os.urandom(11 * MiB)
    assert (await client.put(f"{PROXY}/0/r/artifacts/big.bin", content=big)).status_code == 200
    assert (await client.put(f"{PROXY}/0/r/artifacts/d/a.txt", content=b"a")).status_code == 200
    stored = objects(moto_s3, s3_env)
    assert stored["mlartifacts/0/r/artifacts/big.bin"] == big
    assert stored["mlartifacts/0/r/artifacts/d/a.txt"] == b"a"
    listed = (await client.get(PROXY, params={"path": "0/r/artifacts"})).json()["files"]
    assert listed == [
        {"path": "big.bin", "is_dir": False, "file_size": len(big)},
        {"path": "d", "is_dir": True},
    ]
    async with client.stream("GET", f"{PROXY}/0/r/artifacts/big.bin") as response:
        assert response.status_code == 200
        received = b"".join([chunk async for chunk in response.aiter_bytes()])
    assert received == big
    assert (await client.delete(f"{PROXY}/0/r/artifacts/d")).status_code == 200
    assert list(objects(moto_s3, s3_env)) == ["mlartifacts/0/r/artifacts/big.bin"]
    missing = await client.get(f"{PROXY}/0/r/artifacts/nope.bin")
    assert missing.status_code == 404
    assert missing.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST"


@anyio_test
async def test_server_info_announces_multipart(client: httpx.AsyncClient) -> None:
    info = (await client.get("/api/3.0/mlflow/server-info")).json()
    assert info["multipart_uploads_enabled"] is True
    assert info["multipart_downloads_enabled"] is True


@anyio_test
async def test_mpu_create_upload_parts_complete(
    client: httpx.AsyncClient, moto_s3: MotoServer, s3_env: str
) -> None:
    data = os.urandom(5 * MiB + 100)
    body = {"path": "/home/me/data/big.bin", "num_parts": 2}
    created = await client.post(f"{ARTIFACTS}/mpu/create/0/r/artifacts/dir", json=body)
    assert created.status_code == 200, created.text
    answer = created.json()
    assert [c["part_number"] for c in answer["credentials"]] == [1, 2]
    parts = []
    async with httpx.AsyncClient() as direct:  # straight to S3, not through the server
        for credential, piece in zip(
            answer["credentials"], (data[: 5 * MiB], data[5 * MiB :]), strict=True
        ):
            assert credential["url"].startswith(moto_s3.url)
            put = await direct.put(credential["url"], content=piece)
            assert put.status_code == 200
            parts.append({"part_number": credential["part_number"], "etag": put.headers["ETag"]})
    complete = {"path": body["path"], "upload_id": answer["upload_id"], "parts": parts}
    done = await client.post(f"{ARTIFACTS}/mpu/complete/0/r/artifacts/dir", json=complete)
    assert done.status_code == 200, done.text
    assert objects(moto_s3, s3_env) == {"mlartifacts/0/r/artifacts/dir/big.bin": data}
    presigned = (await client.get(f"{ARTIFACTS}/presigned/0/r/artifacts/dir/big.bin")).json()
    assert presigned["file_size"] == len(data)
    async with httpx.AsyncClient() as direct:
        assert (await direct.get(presigned["url"])).content == data


@anyio_test
async def test_mpu_abort_leaves_nothing(
    client: httpx.AsyncClient, moto_s3: MotoServer, s3_env: str
) -> None:
    body = {"path": "C:\\Users\\me\\big.bin", "num_parts": 1}
    created = (await client.post(f"{ARTIFACTS}/mpu/create/0/r", json=body)).json()
    assert len(pending_uploads(moto_s3, s3_env)) == 1
    abort = {"path": body["path"], "upload_id": created["upload_id"]}
    assert (await client.post(f"{ARTIFACTS}/mpu/abort/0/r", json=abort)).status_code == 200
    assert pending_uploads(moto_s3, s3_env) == []
    assert objects(moto_s3, s3_env) == {}


@anyio_test
@pytest.mark.parametrize(
    ("route", "body"),
    [
        ("create/0/r", {"num_parts": 1}),
        ("create/0/r", {"path": "..", "num_parts": 1}),
        ("create/0/r", {"path": "f.bin", "num_parts": "many"}),
        ("create/0/r", {"path": "f.bin", "num_parts": 0}),
        ("create/0/%2e%2e/%2e%2e/etc", {"path": "f.bin", "num_parts": 1}),
        ("complete/0/r", {"path": "f.bin", "parts": []}),
        ("complete/0/r", {"path": "f.bin", "upload_id": "u", "parts": [{"etag": ""}]}),
        ("complete/0/r", {"path": "f.bin", "upload_id": "u", "parts": ["x"]}),
        ("abort/0/r", {"path": "f.bin"}),
    ],
)
async def test_mpu_bad_requests_are_invalid_parameter(
    client: httpx.AsyncClient, route: str, body: dict[str, object]
) -> None:
    response = await client.post(f"{ARTIFACTS}/mpu/{route}", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["error_code"] == "INVALID_PARAMETER_VALUE"


@anyio_test
async def test_unknown_upload_id_is_not_found(client: httpx.AsyncClient) -> None:
    # (Completing one is also NoSuchUpload on S3, but moto answers that with a 500.)
    body = {"path": "f.bin", "upload_id": "nope"}
    response = await client.post(f"{ARTIFACTS}/mpu/abort/0/r", json=body)
    assert response.status_code == 404, response.text
    assert response.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST"


@anyio_test
async def test_a_local_destination_says_multipart_is_unsupported(
    tmp_path: Path, make_client: object
) -> None:
    from mltrail.server.app import create_app

    local = ServerSettings(
        backend_store_uri=f"sqlite:///{tmp_path / 'l.db'}",
        artifacts_destination=str(tmp_path / "mlartifacts"),
    )
    app = create_app(local)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://localhost:5000"
    ) as http:
        body = {"path": "f.bin", "num_parts": 1}
        response = await http.post(f"{ARTIFACTS}/mpu/create/0/r", json=body)
        info = (await http.get("/api/3.0/mlflow/server-info")).json()
    app.state.context.tracking.close()
    assert response.status_code == 501
    assert response.json()["message"].startswith(UNSUPPORTED)
    assert info["multipart_uploads_enabled"] is False


# -- a live server and the official client ---------------------------------------------------


@pytest.fixture(scope="module")
def s3_server(
    tmp_path_factory: pytest.TempPathFactory, moto_s3: MotoServer
) -> Iterator[tuple[LiveServer, str]]:
    bucket = moto_s3.new_bucket()
    root = tmp_path_factory.mktemp("s3-proxy")
    server = start_server_on_s3(
        root,
        moto_s3,
        "--backend-store-uri",
        f"sqlite:///{root / 'mltrail.db'}",
        "--artifacts-destination",
        f"s3://{bucket}/proxied",
    )
    yield server, bucket
    stop_server(server)


@pytest.mark.compat
@pytest.mark.slow
def test_official_client_uploads_a_large_file_in_presigned_parts(
    s3_server: tuple[LiveServer, str],
    moto_s3: MotoServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """MLflow's client, told to use proxy multipart, asks mpu/create for part URLs, PUTs the
    parts straight to S3, then calls mpu/complete. Downloading, it sees multipart downloads
    announced in server-info, asks /presigned for a URL and fetches ranges from S3."""
    server, bucket = s3_server
    for name, value in {
        "MLFLOW_DISABLE_TELEMETRY": "true",
        "MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD": "true",
        "MLFLOW_MULTIPART_UPLOAD_MINIMUM_FILE_SIZE": str(MiB),
        "MLFLOW_MULTIPART_UPLOAD_CHUNK_SIZE": str(5 * MiB),
    }.items():
        monkeypatch.setenv(name, value)
    import mlflow

    source = tmp_path / "weights.bin"
    source.write_bytes(os.urandom(12 * MiB))
    small = tmp_path / "notes.txt"
    small.write_text("hello")
    mlflow.set_tracking_uri(server.url)
    try:
        caplog.set_level(logging.DEBUG, logger="urllib3.connectionpool")
        with mlflow.start_run() as run:
            mlflow.log_artifact(str(source), "model")
            mlflow.log_artifact(str(small))
        calls = [r.getMessage() for r in caplog.records]
        caplog.clear()
        out = mlflow.artifacts.download_artifacts(
            run_id=run.info.run_id, artifact_path="model", dst_path=str(tmp_path / "out")
        )
        download_calls = [r.getMessage() for r in caplog.records]
    finally:
        mlflow.set_tracking_uri(None)  # type: ignore[arg-type]
    requested = [m for m in calls if "mlflow-artifacts" in m or "X-Amz" in m or "uploadId" in m]
    mpu = [re.search(r"(mpu/\w+)", m).group(1) for m in requested if "mpu/" in m]  # type: ignore[union-attr]
    assert mpu == ["mpu/create", "mpu/complete"]
    part_puts = [m for m in calls if "PUT /" in m and "uploadId=" in m]
    assert len(part_puts) == 3  # 12 MiB in 5 MiB parts, sent to S3 directly
    assert any("PUT /api/2.0/mlflow-artifacts/artifacts/" in m and "notes.txt" in m for m in calls)
    key = f"proxied/0/{run.info.run_id}/artifacts/model/weights.bin"
    head = moto_s3.client().head_object(Bucket=bucket, Key=key)
    assert head["ETag"].strip('"').endswith("-3")
    assert Path(out, "weights.bin").read_bytes() == source.read_bytes()
    presigned = [m for m in download_calls if "/mlflow-artifacts/presigned/" in m]
    assert len(presigned) == 1
    assert any(f"GET /{bucket}/{key}?" in m for m in download_calls)  # straight from S3
