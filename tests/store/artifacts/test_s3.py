"""`S3ArtifactRepository` against a real S3-compatible server (moto, a subprocess): the shared
contract, multipart streaming, settings, and the presigned multipart helpers."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from mltrail import _progress
from mltrail.errors import ErrorCode, InvalidParameter, MltrailError
from mltrail.settings import Settings
from mltrail.store.artifacts.base import ArtifactRepository
from mltrail.store.artifacts.s3 import MIN_PART_SIZE, S3ArtifactRepository, parse_s3_uri
from mltrail.store.uri import artifact_repository_for
from mltrail.testing.artifact_contract import ArtifactRepositoryContract
from tests.compat.conftest import free_port
from tests.s3_server import MotoServer, moto_s3, s3_env

__all__ = ["moto_s3", "s3_env"]  # fixtures, imported for pytest

MiB = 1024 * 1024


class TestS3ArtifactRepository(ArtifactRepositoryContract):
    @pytest.fixture
    def repo(self, s3_env: str) -> ArtifactRepository:
        return artifact_repository_for(f"s3://{s3_env}/some/prefix")


class TestS3AtTheBucketRoot(ArtifactRepositoryContract):
    @pytest.fixture
    def repo(self, s3_env: str) -> ArtifactRepository:
        return artifact_repository_for(f"s3://{s3_env}")


def keys(moto_s3: MotoServer, bucket: str) -> list[str]:
    listed = moto_s3.client().list_objects_v2(Bucket=bucket).get("Contents", [])
    return sorted(obj["Key"] for obj in listed)


def test_keys_live_under_the_prefix_and_nothing_escapes(
    moto_s3: MotoServer, s3_env: str, tmp_path: Path
) -> None:
    repo = artifact_repository_for(f"s3://{s3_env}/exp/run/artifacts/")
    assert isinstance(repo, S3ArtifactRepository)
    repo.write_stream("a/b.txt", [b"x"])
    (tmp_path / "f.txt").write_bytes(b"y")
    repo.log_artifact(str(tmp_path / "f.txt"), "d")
    with pytest.raises(InvalidParameter):
        repo.write_stream("../../escape.txt", [b"z"])
    assert keys(moto_s3, s3_env) == ["exp/run/artifacts/a/b.txt", "exp/run/artifacts/d/f.txt"]


def test_delete_of_a_file_spares_its_name_prefix_siblings(moto_s3: MotoServer, s3_env: str) -> None:
    repo = artifact_repository_for(f"s3://{s3_env}/p")
    for name in ("model", "model.bak", "model/x.txt", "modelling/y.txt"):
        repo.write_stream(name if name != "model" else "model.txt", [b"1"])
    repo.delete_artifacts("model")
    assert keys(moto_s3, s3_env) == ["p/model.bak", "p/model.txt", "p/modelling/y.txt"]


def test_folder_placeholder_objects_are_not_listed_as_files(
    moto_s3: MotoServer, s3_env: str
) -> None:
    moto_s3.client().put_object(Bucket=s3_env, Key="p/dir/", Body=b"")
    moto_s3.client().put_object(Bucket=s3_env, Key="p/dir/f.txt", Body=b"abc")
    repo = artifact_repository_for(f"s3://{s3_env}/p")
    assert [(f.path, f.is_dir) for f in repo.list_artifacts()] == [("dir", True)]
    assert [(f.path, f.file_size) for f in repo.list_artifacts("dir")] == [("dir/f.txt", 3)]


def test_listing_and_deleting_across_pages(moto_s3: MotoServer, s3_env: str) -> None:
    client = moto_s3.client()
    for i in range(7):
        client.put_object(Bucket=s3_env, Key=f"p/many/{i:05d}", Body=b"")
    client.put_object(Bucket=s3_env, Key="p/many/sub/x", Body=b"")
    repo = artifact_repository_for(f"s3://{s3_env}/p")
    assert isinstance(repo, S3ArtifactRepository)
    repo.page_size = 3
    listed = repo.list_artifacts("many")
    assert [f.path for f in listed] == [f"many/{i:05d}" for i in range(7)] + ["many/sub"]
    repo.delete_artifacts("many")
    assert keys(moto_s3, s3_env) == []


def test_a_stream_larger_than_a_part_is_a_multipart_object(
    moto_s3: MotoServer, s3_env: str
) -> None:
    settings = dataclasses.replace(Settings.from_env(), multipart_upload_chunk_size=MIN_PART_SIZE)
    repo = S3ArtifactRepository(f"s3://{s3_env}/p", settings=settings)
    data = os.urandom(MIN_PART_SIZE * 2 + 123)
    repo.write_stream("big.bin", (data[i : i + 100_000] for i in range(0, len(data), 100_000)))
    head = moto_s3.client().head_object(Bucket=s3_env, Key="p/big.bin")
    assert head["ETag"].strip('"').endswith("-2")  # 5 MiB parts (cut at chunk ends): two
    assert b"".join(repo.read_stream("big.bin")) == data


def test_a_failing_multipart_stream_is_aborted(moto_s3: MotoServer, s3_env: str) -> None:
    repo = artifact_repository_for(f"s3://{s3_env}/p")

    def broken() -> Iterator[bytes]:
        yield os.urandom(MIN_PART_SIZE * 2 + 1)  # parts already sent
        raise OSError("producer died")

    with pytest.raises(OSError, match="producer died"):
        repo.write_stream("big.bin", broken())
    assert keys(moto_s3, s3_env) == []
    assert moto_s3.client().list_multipart_uploads(Bucket=s3_env).get("Uploads", []) == []


def test_large_file_upload_and_download_report_progress(s3_env: str, tmp_path: Path) -> None:
    source = tmp_path / "big.bin"
    source.write_bytes(os.urandom(12 * MiB))
    repo = artifact_repository_for(f"s3://{s3_env}/p")
    seen: list[int] = []

    class Sink:
        def advance(self, nbytes: int) -> None:
            seen.append(nbytes)

    with _progress.reporting(Sink()):
        repo.log_artifact(str(source), "d")
        uploaded = sum(seen)
        seen.clear()
        local = repo.download_artifacts("d/big.bin", str(tmp_path / "out"))
    assert uploaded == sum(seen) == 12 * MiB
    assert Path(local).read_bytes() == source.read_bytes()


@pytest.mark.slow
def test_200_mb_round_trip_in_constant_memory(s3_env: str, tmp_path: Path) -> None:
    """200 MiB up as a stream and back as a stream; Python's peak allocation stays small."""
    repo = artifact_repository_for(f"s3://{s3_env}/p")
    block = os.urandom(MiB)
    sent = hashlib.sha256()

    def produce() -> Iterator[bytes]:
        for i in range(200):
            chunk = block[i:] + block[:i]
            sent.update(chunk)
            yield chunk

    tracemalloc.start()
    try:
        repo.write_stream("huge.bin", produce())
        received = hashlib.sha256()
        size = 0
        for chunk in repo.read_stream("huge.bin"):
            received.update(chunk)
            size += len(chunk)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    repo.delete_artifacts("huge.bin")
    assert size == 200 * MiB
    assert received.hexdigest() == sent.hexdigest()
    assert peak < 40 * MiB, f"peak Python allocation {peak / MiB:.1f} MiB"  # ~2 parts of 10


def test_settings_shape_the_client(moto_s3: MotoServer, s3_env: str) -> None:
    settings = Settings(
        s3_endpoint_url=moto_s3.url,
        s3_ignore_tls=True,
        boto_client_addressing_style="path",
        s3_upload_extra_args=json.dumps({"Metadata": {"owner": "team-a"}}),
    )
    repo = S3ArtifactRepository(f"s3://{s3_env}/p", settings=settings)
    assert repo.client.meta.endpoint_url == moto_s3.url
    assert repo.client.meta.config.s3["addressing_style"] == "path"
    repo.write_stream("streamed.txt", [b"x"])
    head = moto_s3.client().head_object(Bucket=s3_env, Key="p/streamed.txt")
    assert head["Metadata"] == {"owner": "team-a"}


def test_extra_args_apply_to_file_uploads_too(
    moto_s3: MotoServer, s3_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLFLOW_S3_UPLOAD_EXTRA_ARGS", '{"ContentType": "text/x-mltrail"}')
    (tmp_path / "f.txt").write_text("x")
    artifact_repository_for(f"s3://{s3_env}/p").log_artifact(str(tmp_path / "f.txt"))
    head = moto_s3.client().head_object(Bucket=s3_env, Key="p/f.txt")
    assert head["ContentType"] == "text/x-mltrail"


@pytest.mark.parametrize("bad", ["[1]", "{not json"])
def test_bad_extra_args_are_a_clear_error(s3_env: str, bad: str) -> None:
    settings = Settings(s3_upload_extra_args=bad)
    repo = S3ArtifactRepository(f"s3://{s3_env}/p", settings=settings)
    with pytest.raises(InvalidParameter, match="MLFLOW_S3_UPLOAD_EXTRA_ARGS"):
        repo.write_stream("f.txt", [b"x"])


def test_an_unreachable_endpoint_is_temporarily_unavailable(s3_env: str) -> None:
    settings = Settings(s3_endpoint_url=f"http://127.0.0.1:{free_port()}")
    repo = S3ArtifactRepository("s3://some-bucket/p", settings=settings)
    for attempt in (lambda: repo.list_artifacts(), lambda: repo.write_stream("f", [b"x"])):
        with pytest.raises(MltrailError) as info:
            attempt()
        assert info.value.code == ErrorCode.TEMPORARILY_UNAVAILABLE
        assert "Could not reach S3" in info.value.message


def test_missing_credentials_are_unauthenticated(
    moto_s3: MotoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    settings = Settings(s3_endpoint_url=moto_s3.url)
    repo = S3ArtifactRepository("s3://some-bucket/p", settings=settings)
    with pytest.raises(MltrailError, match="No AWS credentials") as info:
        repo.list_artifacts()
    assert info.value.code == ErrorCode.UNAUTHENTICATED


def test_a_missing_bucket_is_resource_does_not_exist(s3_env: str) -> None:
    repo = artifact_repository_for("s3://no-such-bucket-here/p")
    with pytest.raises(MltrailError) as info:
        repo.list_artifacts()
    assert info.value.code == ErrorCode.RESOURCE_DOES_NOT_EXIST


def test_presigned_download_serves_the_file(s3_env: str) -> None:
    repo = artifact_repository_for(f"s3://{s3_env}/p")
    assert isinstance(repo, S3ArtifactRepository)
    repo.write_stream("f.txt", [b"xyz"])
    url, size = repo.presigned_download("f.txt")
    assert size == 3
    assert httpx.get(url).content == b"xyz"
    with pytest.raises(MltrailError) as info:
        repo.presigned_download("missing.txt")
    assert info.value.code == ErrorCode.RESOURCE_DOES_NOT_EXIST


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("s3://bucket", ("bucket", "")),
        ("s3://bucket/", ("bucket", "")),
        ("s3://bucket/a/b/", ("bucket", "a/b")),
        ("s3://bucket//a//b", ("bucket", "a/b")),
    ],
)
def test_parse_s3_uri(uri: str, expected: tuple[str, str]) -> None:
    assert parse_s3_uri(uri) == expected


@pytest.mark.parametrize("uri", ["s3:///nobucket", "s3://b/../x", "s3://b/p?x=1", "gs://b/p"])
def test_bad_s3_uris_are_refused(uri: str) -> None:
    with pytest.raises(InvalidParameter):
        parse_s3_uri(uri)


def test_presigned_multipart_upload_round_trip(moto_s3: MotoServer, s3_env: str) -> None:
    repo = artifact_repository_for(f"s3://{s3_env}/p")
    assert isinstance(repo, S3ArtifactRepository)
    data = os.urandom(MIN_PART_SIZE + 10)
    upload_id, credentials = repo.create_multipart_upload("d/f.bin", 2)
    assert [c["part_number"] for c in credentials] == [1, 2]
    pieces = [data[:MIN_PART_SIZE], data[MIN_PART_SIZE:]]
    parts = []
    for credential, piece in zip(credentials, pieces, strict=True):
        answer = httpx.put(credential["url"], content=piece)
        assert answer.status_code == 200, answer.text
        parts.append((credential["part_number"], answer.headers["ETag"]))
    repo.complete_multipart_upload("d/f.bin", upload_id, parts)
    assert b"".join(repo.read_stream("d/f.bin")) == data

    upload_id, _ = repo.create_multipart_upload("d/gone.bin", 1)
    repo.abort_multipart_upload("d/gone.bin", upload_id)
    assert moto_s3.client().list_multipart_uploads(Bucket=s3_env).get("Uploads", []) == []
    with pytest.raises(InvalidParameter):
        repo.create_multipart_upload("d/x.bin", 0)
    with pytest.raises(InvalidParameter):
        repo.create_multipart_upload("../x.bin", 1)
