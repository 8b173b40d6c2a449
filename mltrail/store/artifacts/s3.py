"""Artifacts in Amazon S3 or any S3-compatible store: ``s3://bucket/prefix`` URIs.

boto3 (the ``s3`` extra) is imported on first use. The endpoint, TLS checking, upload extra
arguments and addressing style come from `Settings` (``MLFLOW_S3_ENDPOINT_URL`` and friends);
credentials and region are boto3's own (``AWS_*`` variables, profiles, instance roles).

Transfers stream: files go up with boto3's managed multipart transfer, streams are cut into
parts as they arrive (one part in memory), and nothing becomes visible before it is whole,
because S3 only publishes an object when its single PUT or its multipart upload completes.
Paths are checked by `normalize_artifact_path`, so no key ever leaves the prefix.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from mltrail import _progress
from mltrail._paths import normalize_artifact_path
from mltrail.entities import FileInfo
from mltrail.errors import InvalidParameter
from mltrail.settings import Settings
from mltrail.store.artifacts._s3_client import (
    MIN_PART_SIZE,
    S3Options,
    s3_client,
    s3_errors,
)

__all__ = ["MIN_PART_SIZE", "S3ArtifactRepository", "S3Options", "parse_s3_uri"]

MAX_PARTS = 10_000
PRESIGNED_URL_SECONDS = 3600
UPLOAD_THREADS = 8


def parse_s3_uri(uri: str) -> tuple[str, str]:
    """``s3://bucket/a/b/`` -> (``bucket``, ``a/b``)."""
    parts = urlsplit(uri)
    if parts.scheme.lower() != "s3" or not parts.netloc:
        raise InvalidParameter(f"{uri!r} is not an S3 URI (s3://bucket/prefix).")
    if parts.query or parts.fragment:
        raise InvalidParameter(f"S3 URI {uri!r} must not carry a query or fragment.")
    return parts.netloc, normalize_artifact_path(parts.path.lstrip("/"))


def _join(*parts: str | None) -> str:
    return "/".join(p for p in parts if p)


class S3ArtifactRepository:
    """An `ArtifactRepository` over the keys under ``s3://bucket/prefix/``."""

    def __init__(
        self, artifact_uri: str, *, settings: Settings | None = None, client: Any = None
    ) -> None:
        self.artifact_uri = artifact_uri
        self.bucket, self.prefix = parse_s3_uri(artifact_uri)
        self.options = S3Options.from_settings(settings or Settings.from_env())
        self._client = client
        self.page_size = 1000  # keys per listing request (S3's maximum)

    def __repr__(self) -> str:
        return f"S3ArtifactRepository({self.artifact_uri!r})"

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = s3_client(self.options)
        return self._client

    def key(self, artifact_path: str | None) -> str:
        """The object key of a repository-relative path (checked: nothing escapes the prefix)."""
        return _join(self.prefix, normalize_artifact_path(artifact_path))

    def _relative(self, key: str) -> str:
        return key[len(self.prefix) + 1 :] if self.prefix else key

    # -- writing -------------------------------------------------------------------------------

    def log_artifact(self, local_file: str, artifact_path: str | None = None) -> None:
        source = Path(local_file)
        if not source.is_file():
            raise InvalidParameter(f"Cannot log artifact: {local_file!r} is not a file.")
        self._upload_file(
            source, self.key(_join(normalize_artifact_path(artifact_path), source.name))
        )

    def log_artifacts(self, local_dir: str, artifact_path: str | None = None) -> None:
        source = Path(local_dir)
        if not source.is_dir():
            raise InvalidParameter(f"Cannot log artifacts: {local_dir!r} is not a directory.")
        prefix = normalize_artifact_path(artifact_path)
        uploads: list[tuple[Path, str]] = []
        for folder, _dirs, files in os.walk(source, followlinks=True):
            relative = Path(folder).relative_to(source).as_posix()
            for name in sorted(files):
                rel = _join(prefix, "" if relative == "." else relative, name)
                uploads.append((Path(folder, name), self.key(rel)))
        sink = _progress.current()
        with ThreadPoolExecutor(UPLOAD_THREADS) as pool:
            for done in [pool.submit(self._upload_file, f, k, sink) for f, k in uploads]:
                done.result()

    def _upload_file(
        self, source: Path, key: str, sink: _progress.ProgressSink | None = None
    ) -> None:
        from boto3.s3.transfer import TransferConfig

        sink = sink or _progress.current()
        config = TransferConfig(
            multipart_threshold=self.options.part_size,
            multipart_chunksize=_part_size_for(source.stat().st_size, self.options.part_size),
            max_concurrency=4,
        )
        with s3_errors(f"s3://{self.bucket}"):
            self.client.upload_file(
                str(source),
                self.bucket,
                key,
                ExtraArgs=self.options.extra_args() or None,
                Config=config,
                Callback=sink.advance if sink else None,
            )

    def write_stream(self, artifact_path: str, chunks: Iterable[bytes]) -> None:
        rel = normalize_artifact_path(artifact_path)
        if not rel:
            raise InvalidParameter("Cannot write a stream to the artifact root; name a file.")
        with s3_errors(f"s3://{self.bucket}"):
            StreamUpload(self, self.key(rel)).run(chunks)

    def delete_artifacts(self, artifact_path: str | None = None) -> None:
        base = self.key(artifact_path)
        keys = [base] if base and normalize_artifact_path(artifact_path) else []
        keys += [obj["Key"] for obj in self._objects(base)]
        for start in range(0, len(keys), 1000):
            batch = [{"Key": k} for k in keys[start : start + 1000]]
            with s3_errors(f"s3://{self.bucket}"):
                self.client.delete_objects(
                    Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True}
                )

    def _objects(self, key_prefix: str, delimiter: str | None = None) -> Iterator[dict[str, Any]]:
        """Every listing page's items (objects, and prefixes as {'Prefix': ...})."""
        prefix = key_prefix + "/" if key_prefix else ""
        kwargs: dict[str, Any] = {
            "Bucket": self.bucket,
            "Prefix": prefix,
            "PaginationConfig": {"PageSize": self.page_size},
        }
        if delimiter:
            kwargs["Delimiter"] = delimiter
        with s3_errors(f"s3://{self.bucket}"):
            for page in self.client.get_paginator("list_objects_v2").paginate(**kwargs):
                yield from page.get("Contents", ())
                yield from page.get("CommonPrefixes", ())

    # -- reading -------------------------------------------------------------------------------

    def list_artifacts(self, path: str | None = None) -> list[FileInfo]:
        rel = normalize_artifact_path(path)
        infos: list[FileInfo] = []
        for item in self._objects(self.key(rel), delimiter="/"):
            if "Prefix" in item:
                infos.append(FileInfo(self._relative(item["Prefix"].rstrip("/")), True, None))
            elif not item["Key"].endswith("/"):  # skip folder placeholder objects
                infos.append(FileInfo(self._relative(item["Key"]), False, int(item["Size"])))
        return sorted(infos, key=lambda info: info.path)

    def read_stream(self, artifact_path: str, chunk_size: int = 1 << 20) -> Iterator[bytes]:
        rel = normalize_artifact_path(artifact_path)
        with s3_errors(f"Artifact {rel!r}"):
            body = self.client.get_object(Bucket=self.bucket, Key=self.key(rel))["Body"]
        return _body_chunks(body, chunk_size)

    def download_artifacts(self, artifact_path: str, dst_path: str | None = None) -> str:
        rel = normalize_artifact_path(artifact_path)
        destination = Path(dst_path) if dst_path else Path(tempfile.mkdtemp(prefix="mltrail-"))
        local = destination.joinpath(rel) if rel else destination
        files = [
            (self._relative(obj["Key"]), int(obj["Size"]))
            for obj in self._objects(self.key(rel))
            if not obj["Key"].endswith("/")
        ]
        if files or not rel:
            local.mkdir(parents=True, exist_ok=True)
            for file_rel, _size in files:
                self._download_file(file_rel, destination.joinpath(file_rel))
        else:
            self._download_file(rel, local)
        return str(local.absolute())

    def _download_file(self, rel: str, local: Path) -> None:
        local.parent.mkdir(parents=True, exist_ok=True)
        partial = local.with_name(f".{local.name}.part")
        sink = _progress.current()
        try:
            with s3_errors(f"Artifact {rel!r}"):
                self.client.download_file(
                    self.bucket,
                    self.key(rel),
                    str(partial),
                    Callback=sink.advance if sink else None,
                )
            partial.replace(local)
        finally:
            partial.unlink(missing_ok=True)

    # -- presigned transfers (the server's multipart proxy endpoints) ------------------------

    def create_multipart_upload(
        self, artifact_path: str, num_parts: int, expires_in: int = PRESIGNED_URL_SECONDS
    ) -> tuple[str, list[dict[str, Any]]]:
        """Start an upload; return its id and one presigned PUT URL per part."""
        if not 1 <= num_parts <= MAX_PARTS:
            raise InvalidParameter(f"num_parts must be between 1 and {MAX_PARTS}, got {num_parts}.")
        key = self._file_key(artifact_path)
        extra = self.options.extra_args()
        with s3_errors(f"s3://{self.bucket}"):
            created = self.client.create_multipart_upload(Bucket=self.bucket, Key=key, **extra)
        upload_id: str = created["UploadId"]
        credentials = [
            {
                "url": self.client.generate_presigned_url(
                    "upload_part",
                    Params={
                        "Bucket": self.bucket,
                        "Key": key,
                        "UploadId": upload_id,
                        "PartNumber": number,
                    },
                    ExpiresIn=expires_in,
                ),
                "part_number": number,
                "headers": {},
            }
            for number in range(1, num_parts + 1)
        ]
        return upload_id, credentials

    def complete_multipart_upload(
        self, artifact_path: str, upload_id: str, parts: list[tuple[int, str]]
    ) -> None:
        """Publish the object from its uploaded (part number, ETag) pairs."""
        if not parts:
            raise InvalidParameter("Completing a multipart upload needs its parts.")
        key = self._file_key(artifact_path)
        listed = [{"PartNumber": n, "ETag": etag} for n, etag in sorted(parts)]
        with s3_errors(f"Multipart upload {upload_id!r}"):
            self.client.complete_multipart_upload(
                Bucket=self.bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": listed}
            )

    def abort_multipart_upload(self, artifact_path: str, upload_id: str) -> None:
        with s3_errors(f"Multipart upload {upload_id!r}"):
            self.client.abort_multipart_upload(
                Bucket=self.bucket, Key=self._file_key(artifact_path), UploadId=upload_id
            )

    def presigned_download(
        self, artifact_path: str, expires_in: int = PRESIGNED_URL_SECONDS
    ) -> tuple[str, int]:
        """A presigned GET URL of an existing file, and its size."""
        key = self._file_key(artifact_path)
        with s3_errors(f"Artifact {artifact_path!r}"):
            size = int(self.client.head_object(Bucket=self.bucket, Key=key)["ContentLength"])
        url: str = self.client.generate_presigned_url(
            "get_object", Params={"Bucket": self.bucket, "Key": key}, ExpiresIn=expires_in
        )
        return url, size

    def _file_key(self, artifact_path: str) -> str:
        rel = normalize_artifact_path(artifact_path)
        if not rel:
            raise InvalidParameter("An artifact file path is required.")
        return self.key(rel)


class StreamUpload:
    """One object written from a byte stream: a single PUT if it fits in one part, otherwise a
    multipart upload fed part by part and aborted if the stream fails."""

    def __init__(self, repo: S3ArtifactRepository, key: str) -> None:
        self.repo = repo
        self.client = repo.client
        self.key = key
        self.part_size = repo.options.part_size
        self.extra = repo.options.extra_args()
        self.upload_id: str | None = None
        self.parts: list[dict[str, Any]] = []
        self.report: Callable[[int], None] = _progress.report

    def run(self, chunks: Iterable[bytes]) -> None:
        # Parts are cut at chunk boundaries (a part may exceed part_size by one chunk): one
        # join per part, and no slicing copies, keeps the memory at about two parts.
        pending: list[bytes] = []
        size = 0
        try:
            for chunk in chunks:
                pending.append(chunk)
                size += len(chunk)
                if size >= self.part_size:
                    data = b"".join(pending)
                    pending.clear()
                    size = 0
                    self._send_part(data)
                    del data
            self._finish(b"".join(pending))
        except BaseException:
            self._abort()
            raise

    def _send_part(self, data: bytes) -> None:
        if self.upload_id is None:
            created = self.client.create_multipart_upload(
                Bucket=self.repo.bucket, Key=self.key, **self.extra
            )
            self.upload_id = created["UploadId"]
        number = len(self.parts) + 1
        answer = self.client.upload_part(
            Bucket=self.repo.bucket,
            Key=self.key,
            UploadId=self.upload_id,
            PartNumber=number,
            Body=data,
        )
        self.parts.append({"PartNumber": number, "ETag": answer["ETag"]})
        self.report(len(data))

    def _finish(self, rest: bytes) -> None:
        if self.upload_id is None:
            self.client.put_object(Bucket=self.repo.bucket, Key=self.key, Body=rest, **self.extra)
            self.report(len(rest))
            return
        if rest:
            self._send_part(rest)
        self.client.complete_multipart_upload(
            Bucket=self.repo.bucket,
            Key=self.key,
            UploadId=self.upload_id,
            MultipartUpload={"Parts": self.parts},
        )
        self.upload_id = None

    def _abort(self) -> None:
        if self.upload_id is None:
            return
        upload_id, self.upload_id = self.upload_id, None
        # The original failure matters more; a bucket lifecycle rule cleans up what's left.
        with contextlib.suppress(Exception):
            self.client.abort_multipart_upload(
                Bucket=self.repo.bucket, Key=self.key, UploadId=upload_id
            )


def _part_size_for(size: int, part_size: int) -> int:
    """The configured part size, grown so a huge file needs at most MAX_PARTS parts."""
    needed = -(-size // MAX_PARTS)
    return max(part_size, needed)


def _body_chunks(body: Any, chunk_size: int) -> Iterator[bytes]:
    try:
        while chunk := body.read(chunk_size):
            _progress.report(len(chunk))
            yield chunk
    finally:
        body.close()
