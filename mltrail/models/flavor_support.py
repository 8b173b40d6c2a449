"""What framework flavors share beyond `saving`: one call that lays out a flavor's model
directory, finding a flavor's entry when loading, extra files, and class paths.

A flavor supplies only the part that differs: a `write(local_dir)` callback that stores the
framework object and returns the flavor's MLmodel fields.
"""

from __future__ import annotations

import importlib
import os
import posixpath
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from mltrail.errors import InvalidParameter
from mltrail.models.model import MLMODEL_FILE, PYFUNC_FLAVOR, Model
from mltrail.models.saving import (
    copy_code_paths,
    finish_model_dir,
    model_for,
    new_model_dir,
    pyfunc_flavor_entry,
)

EXTRA_FILES_FOLDER = "extra_files"


def save_flavor(
    path: str | os.PathLike[str],
    mlflow_model: Model | None,
    *,
    flavor_name: str,
    loader_module: str,
    write: Callable[[str], Mapping[str, Any]],
    pyfunc_fields: Mapping[str, Any] | Callable[[Mapping[str, Any]], Mapping[str, Any]],
    code_paths: Iterable[str] | None = None,
    extra_files: Iterable[str] | None = None,
    **finish: Any,
) -> Model:
    """Create the model directory: code, the framework file(s) `write` stores, extra files,
    the `python_function` and flavor entries, then `finish_model_dir(**finish)`.

    `pyfunc_fields` are the loader's fields (or a function of the flavor fields giving them).
    """
    model = model_for(mlflow_model)
    with new_model_dir(path) as local:
        code = copy_code_paths(local, code_paths)
        fields = dict(write(local))
        extras = copy_extra_files(local, extra_files)
        if extras is not None:
            fields["extra_files"] = extras
        loader_fields = pyfunc_fields(fields) if callable(pyfunc_fields) else pyfunc_fields
        if code is not None:
            loader_fields = {**loader_fields, "code": code}
        model.add_flavor(PYFUNC_FLAVOR, **pyfunc_flavor_entry(loader_module, **loader_fields))
        model.add_flavor(flavor_name, code=code, **fields)
        return finish_model_dir(local, model, **finish)


def copy_extra_files(local: str, extra_files: Iterable[str] | None) -> list[dict[str, str]] | None:
    """Copy files (paths or artifact URIs) into `local`/extra_files; their MLmodel entries."""
    sources = list(extra_files or ())
    if not sources:
        return None
    target = os.path.join(local, EXTRA_FILES_FOLDER)
    os.makedirs(target, exist_ok=True)
    entries = []
    for source in sources:
        name = posixpath.basename(str(source).rstrip("/"))
        _fetch(str(source), os.path.join(target, name))
        entries.append({"path": posixpath.join(EXTRA_FILES_FOLDER, name)})
    return entries


def _fetch(source: str, destination: str) -> None:
    from mltrail.models.uris import local_path

    local = local_path(source)
    if local is not None:
        if not local.is_file():
            raise InvalidParameter(f"Extra file {source!r} does not exist or is not a file")
        shutil.copy2(local, destination)
        return
    from mltrail.store.uri import artifact_repository_for

    parent, name = posixpath.split(source.rstrip("/"))
    with tempfile.TemporaryDirectory(prefix="mltrail-extra-") as scratch:
        fetched = artifact_repository_for(parent).download_artifacts(name, scratch)
        shutil.copy2(fetched, destination)


def flavor_conf(model_dir: str, flavor_name: str, model_uri: str | None = None) -> dict[str, Any]:
    """The `flavor_name` entry of the MLmodel in `model_dir` (a clear error without one)."""
    conf = Model.load(model_dir).flavors.get(flavor_name)
    if conf is None:
        raise InvalidParameter(
            f"The model at {model_uri or model_dir} has no '{flavor_name}' flavor"
        )
    return dict(conf)


def download_flavor(
    model_uri: str, flavor_name: str, dst_path: str | None = None
) -> tuple[str, dict[str, Any]]:
    """The local model directory for `model_uri` and its `flavor_name` entry, with the code
    saved beside the model (`code_paths`) made importable, as loading needs it."""
    from mltrail.models.uris import download_model

    local = download_model(str(model_uri), dst_path)
    conf = flavor_conf(local, flavor_name, str(model_uri))
    add_code_to_path(local, conf)
    return local, conf


def add_code_to_path(local: str, conf: Mapping[str, Any]) -> None:
    """Make code saved with the model (`code_paths`) importable."""
    code = conf.get("code")
    if not code:
        return
    folder = os.path.join(local, str(code))
    if folder not in sys.path:
        sys.path.insert(0, folder)


def pyfunc_data(path: str, flavor_name: str, data_key: str = "data") -> tuple[str, dict[str, Any]]:
    """For `_load_pyfunc(path)`: the framework file and the flavor entry.

    `path` is what the `python_function` entry names (a file or folder, possibly one level
    down, like ``data/model.pth``) or the model directory itself.
    """
    start = path if os.path.isdir(path) else os.path.dirname(path)
    for model_dir in (start, os.path.dirname(start)):
        if os.path.isfile(os.path.join(model_dir, MLMODEL_FILE)):
            break
    else:
        return path, {}  # a bare framework file: the flavor's defaults apply
    conf = flavor_conf(model_dir, flavor_name)
    if os.path.isdir(path) and os.path.samefile(path, model_dir) and conf.get(data_key):
        return os.path.join(model_dir, str(conf[data_key])), conf
    return path, conf


def class_path(obj: Any) -> str:
    """``module.Class`` of an object, as MLflow records `model_class`."""
    cls = type(obj)
    return f"{cls.__module__}.{cls.__qualname__}"


def import_class(path: str, allowed_prefixes: tuple[str, ...]) -> Any:
    """The class `path` names; only under `allowed_prefixes`, since MLmodel files may be
    untrusted and importing arbitrary modules runs their code."""
    if not path.startswith(allowed_prefixes):
        raise InvalidParameter(
            f"Model class {path!r} is not one of the supported classes "
            f"(expected a class from {', '.join(allowed_prefixes)})"
        )
    module_name, _, name = path.rpartition(".")
    try:
        return getattr(importlib.import_module(module_name), name)
    except (ImportError, AttributeError) as missing:
        raise InvalidParameter(f"Cannot import model class {path!r}: {missing}") from None
