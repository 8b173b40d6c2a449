"""Run artifact listing for the UI (``artifacts/list``); the proxy is `artifacts_proxy`."""

from __future__ import annotations

from mltrail.entities import FileInfo
from mltrail.server.artifact_locations import join, safe_relative_path
from mltrail.server.context import ServerContext
from mltrail.server.endpoint import Json, api_routes
from mltrail.wire import requests as rq
from mltrail.wire.codecs import file_info_to_dict


def relative_to(info: FileInfo, base: str) -> FileInfo:
    """`info` with its path made relative to `base` (a directory inside the repository)."""
    if not base:
        return info
    path = info.path.removeprefix(base.rstrip("/") + "/")
    return FileInfo(path, info.is_dir, info.file_size)


def list_files(ctx: ServerContext, location: str, path: str | None) -> Json:
    """Direct children of `path` under artifact `location`, paths relative to `location`."""
    repo, base = ctx.artifacts.open(location)
    listed = repo.list_artifacts(join(base, safe_relative_path(path)) or None)
    return {
        "root_uri": location,
        "files": [file_info_to_dict(relative_to(f, base)) for f in listed],
    }


def list_run_artifacts(ctx: ServerContext, req: rq.ListArtifacts) -> Json:
    run = ctx.tracking.get_run(req.id)
    return list_files(ctx, run.info.artifact_uri, req.path)


routes = [*api_routes("/artifacts/list", "GET", rq.ListArtifacts, list_run_artifacts)]
