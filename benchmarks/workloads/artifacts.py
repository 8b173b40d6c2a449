"""A BENCH_ARTIFACT_MB file logged to a run and downloaded back, through the server's proxy.

The harness samples the server's memory meanwhile (a streaming proxy stays flat). The copy
is compared with the original by SHA-256, outside the timed region.
"""

from __future__ import annotations

import hashlib
import importlib
import os
from pathlib import Path

import _bench

lib = importlib.import_module(os.environ["BENCH_LIB"])
mlflow = lib

CHUNK = 8 * 1024 * 1024


def write_payload(path: Path, megabytes: int) -> str:
    digest = hashlib.sha256()
    with path.open("wb") as out:
        for _ in range(megabytes * 1024 * 1024 // CHUNK):
            chunk = os.urandom(CHUNK)
            digest.update(chunk)
            out.write(chunk)
    return digest.hexdigest()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def main() -> None:
    megabytes = _bench.env_int("BENCH_ARTIFACT_MB")
    payload = Path("payload.bin")
    expected = write_payload(payload, megabytes)
    mlflow.set_tracking_uri(_bench.tracking_uri())
    mlflow.set_experiment("bench-artifacts")
    with mlflow.start_run() as run:
        upload_s, _ = _bench.time_call(lambda: mlflow.log_artifact(str(payload)))
    download = _bench.submodule("artifacts").download_artifacts
    download_s, local = _bench.time_call(
        lambda: download(run_id=run.info.run_id, artifact_path=payload.name, dst_path="download")
    )
    _bench.check(file_sha256(Path(local)) == expected, "downloaded file differs from the upload")
    _bench.emit("artifact_upload", upload_s, "s", megabytes=megabytes)
    _bench.emit("artifact_download", download_s, "s", megabytes=megabytes)


if __name__ == "__main__":
    main()
