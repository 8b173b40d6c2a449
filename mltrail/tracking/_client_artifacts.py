"""The client's artifact methods: files, directories, streams and in-memory objects of a run.

A run's artifacts live under its `artifact_uri`, reached through the repository for that
URI's scheme. The URI never changes, so it is looked up once per run.
"""

from __future__ import annotations

import os
import posixpath
import uuid
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from mltrail.entities import FileInfo, Run, ViewType
from mltrail.errors import InvalidParameter, NotFound
from mltrail.store.artifacts.base import ArtifactRepository
from mltrail.tracking import _artifact_writers as writers
from mltrail.tracking import _values
from mltrail.tracking._client_base import ClientBase

if TYPE_CHECKING:
    import io

    import pandas as pd

LOGGED_ARTIFACTS_TAG = "mlflow.loggedArtifacts"
LOGGED_IMAGES_TAG = "mlflow.loggedImages"
_STREAM_CHUNK = 1 << 20


class ArtifactMethods(ClientBase):
    # -- files ---------------------------------------------------------------------------
    def log_artifact(self, run_id: str, local_path: str, artifact_path: str | None = None) -> None:
        """Upload a file (or a directory, kept under its own name) into `artifact_path`."""
        local = os.fspath(local_path)
        if os.path.isdir(local):
            name = os.path.basename(os.path.normpath(local))
            target = posixpath.join(artifact_path, name) if artifact_path else name
            self._repo(run_id).log_artifacts(local, target)
        else:
            self._repo(run_id).log_artifact(local, artifact_path)

    def log_artifacts(self, run_id: str, local_dir: str, artifact_path: str | None = None) -> None:
        self._repo(run_id).log_artifacts(os.fspath(local_dir), artifact_path)

    def list_artifacts(self, run_id: str, path: str | None = None) -> list[FileInfo]:
        return self._repo(run_id).list_artifacts(path)

    def download_artifacts(self, run_id: str, path: str, dst_path: str | None = None) -> str:
        return self._repo(run_id).download_artifacts(path, dst_path)

    def log_stream(
        self, run_id: str, stream: io.BufferedIOBase | io.RawIOBase, artifact_file: str
    ) -> None:
        self._repo(run_id).write_stream(artifact_file, _chunks(stream))

    # -- in-memory objects ---------------------------------------------------------------
    def log_text(self, run_id: str, text: str, artifact_file: str) -> None:
        self._upload(run_id, artifact_file, writers.text_bytes(text))

    def log_dict(self, run_id: str, dictionary: Mapping[str, Any], artifact_file: str) -> None:
        """Save as YAML for .yaml/.yml files, else as JSON."""
        self._upload(run_id, artifact_file, writers.dict_bytes(dictionary, artifact_file))

    def log_figure(
        self,
        run_id: str,
        figure: Any,
        artifact_file: str,
        *,
        save_kwargs: Mapping[str, Any] | None = None,
    ) -> None:
        """A matplotlib or plotly figure, in the format its file extension names."""
        self._upload(
            run_id, artifact_file, writers.figure_bytes(figure, artifact_file, save_kwargs)
        )

    def log_image(
        self,
        run_id: str,
        image: Any,
        artifact_file: str | None = None,
        key: str | None = None,
        step: int | None = None,
        timestamp: int | None = None,
        synchronous: bool | None = None,
    ) -> None:
        """Save an image to `artifact_file`, or as step `step` of the image series `key`."""
        if (artifact_file is None) == (key is None):
            raise InvalidParameter(
                "Specify exactly one of `artifact_file` or `key` to log an image."
            )
        picture = writers.pil_image(image)
        if key is None:
            file = str(artifact_file)
            self._upload(run_id, file, writers.image_bytes(picture, writers.extension(file)))
            return
        # A series point is validated like a metric: same key rules, integer step.
        point = _values.metric(key, 0.0, timestamp, step)
        stem = writers.step_image_stem(key, point.step, point.timestamp, str(uuid.uuid4()))
        self._upload(run_id, f"{stem}.png", writers.image_bytes(picture, "png"))
        self._upload(run_id, f"{stem}+compressed.webp", writers.thumbnail_bytes(picture))
        self._write(run_id, (_values.tag(LOGGED_IMAGES_TAG, "True", truncate=True),), True)

    # -- tables --------------------------------------------------------------------------
    def log_table(self, run_id: str, data: Any, artifact_file: str) -> None:
        """Log a dict or DataFrame as a table; logging to the same file again appends rows."""
        writers.check_table_file(artifact_file)
        frame = writers.table_frame(data)
        existing = self._read_artifact(run_id, artifact_file)
        if existing is not None:
            import pandas as pd

            frame = pd.concat(
                [writers.read_table(existing, artifact_file), frame], ignore_index=True
            )
        self._upload(run_id, artifact_file, writers.table_bytes(frame, artifact_file))
        listed = self._read_store().get_run(run_id).data.tags.get(LOGGED_ARTIFACTS_TAG)
        updated = writers.append_logged_table(listed, artifact_file)
        if updated is not None:
            self._write(run_id, (_values.tag(LOGGED_ARTIFACTS_TAG, updated, truncate=False),), True)

    def load_table(
        self,
        experiment_id: str,
        artifact_file: str,
        run_ids: Sequence[str] | None = None,
        extra_columns: Sequence[str] | None = None,
    ) -> pd.DataFrame:
        """The table logged as `artifact_file`, rows of every run that has it, concatenated.

        `extra_columns` names run attributes (e.g. ``run_id``) added as columns.
        """
        import pandas as pd

        if run_ids:
            runs = [self._read_store().get_run(r) for r in run_ids]
        else:
            runs = self._all_runs(experiment_id)
        frames = []
        for run in runs:
            data = self._read_artifact(run.info.run_id, artifact_file)
            if data is not None:
                frames.append(
                    _with_columns(writers.read_table(data, artifact_file), run, extra_columns)
                )
        if not frames:
            raise NotFound("No runs found with the corresponding table artifact.")
        return pd.concat(frames, ignore_index=True)

    def get_artifact_repository(self, run_id: str) -> ArtifactRepository:
        """The repository holding the run's artifacts (an mltrail addition to MLflow's API)."""
        return self._repo(run_id)

    # -- plumbing ------------------------------------------------------------------------
    def _repo(self, run_id: str) -> ArtifactRepository:
        from mltrail.store.uri import artifact_repository_for

        uris = self._handle.artifact_uris
        uri = uris.get(run_id)
        if uri is None:
            uri = uris[run_id] = self._store.get_run(run_id).info.artifact_uri
        # Proxied artifacts live on this client's server, whatever the environment says.
        return artifact_repository_for(uri, tracking_uri=self._tracking_uri)

    def _upload(self, run_id: str, artifact_file: str, data: bytes) -> None:
        self._repo(run_id).write_stream(artifact_file, (data,))

    def _read_artifact(self, run_id: str, artifact_file: str) -> bytes | None:
        """The file's bytes, or None when the run has no such artifact."""
        repo = self._repo(run_id)
        parent = posixpath.dirname(artifact_file) or None
        if not any(f.path == artifact_file and not f.is_dir for f in repo.list_artifacts(parent)):
            return None
        return b"".join(repo.read_stream(artifact_file))

    def _all_runs(self, experiment_id: str) -> list[Run]:
        store = self._read_store()
        runs: list[Run] = []
        token: str | None = None
        while True:
            page = store.search_runs(
                [str(experiment_id)], None, ViewType.ACTIVE_ONLY, 1000, None, token
            )
            runs.extend(page)
            token = page.token
            if not token:
                return runs


def _chunks(stream: Any) -> Iterator[bytes]:
    while chunk := stream.read(_STREAM_CHUNK):
        yield bytes(chunk)


def _with_columns(frame: pd.DataFrame, run: Run, names: Sequence[str] | None) -> pd.DataFrame:
    for name in names or ():
        if not hasattr(run.info, name):
            raise InvalidParameter(f"Unknown run attribute {name!r} in extra_columns")
        frame[name] = getattr(run.info, name)
    return frame
