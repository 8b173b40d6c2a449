"""One registry scenario, driven by the official `mlflow` client, against the official
`mlflow server` and against an mltrail server: every answer and every error code must match.

Each step records what the client got (entities reduced to the fields a user reads; ids and
times left out) or the error code it raised, so a difference names the first step that differs.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from tests.compat.conftest import LiveServer

pytestmark = [
    pytest.mark.compat,
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore:.*stages.*:FutureWarning"),
]

SOURCE = "s3://bucket/models/m"


def _version(v: Any) -> tuple[Any, ...]:
    return (
        v.name.split("-", 1)[1],
        str(v.version),
        v.current_stage,
        v.source,
        v.description or None,
        dict(v.tags),
        sorted(v.aliases),
        v.status,
    )


def _model(m: Any) -> tuple[Any, ...]:
    latest = sorted((str(v.version), v.current_stage) for v in m.latest_versions or [])
    return (
        m.name.split("-", 1)[1],
        m.description or None,
        dict(m.tags),
        dict(m.aliases),
        latest,
    )


def _shape(value: Any) -> Any:
    """What a user reads from an answer: entities reduced, pages as lists plus 'more?'."""
    if hasattr(value, "current_stage"):
        return _version(value)
    if hasattr(value, "latest_versions"):
        return _model(value)
    if isinstance(value, list):
        shaped = [_shape(v) for v in value]
        token = getattr(value, "token", None)
        return (shaped, bool(token)) if hasattr(value, "token") else shaped
    return value


def _without_aliases(value: Any) -> Any:
    """Search answers with the versions' aliases blanked: MLflow leaves them out of
    `search_model_versions` results (it fills them only in `get_model_version`); mltrail
    includes them, a deliberate superset checked in `test_search_results_carry_aliases`."""
    shaped, more = _shape(value)
    return [(*v[:6], [], *v[7:]) for v in shaped], more


# Where mltrail deliberately answers differently: label -> (mltrail's answer, MLflow's answer).
DELIBERATE = {
    # MLflow fails with a 500 on this bad input; mltrail names the bad parameter.
    "archive into Archived": (("error", "INVALID_PARAMETER_VALUE"), ("error", "INTERNAL_ERROR")),
}


def scenario(mlflow: Any, url: str) -> list[tuple[str, Any]]:
    client = mlflow.MlflowClient(tracking_uri=url, registry_uri=url)
    prefix = uuid.uuid4().hex[:8]
    a, b = f"{prefix}-a", f"{prefix}-b"
    steps: list[tuple[str, Any]] = []

    def step(label: str, call: Callable[[], Any], shape: Callable[[Any], Any] = _shape) -> Any:
        try:
            result = call()
        except mlflow.exceptions.MlflowException as error:
            steps.append((label, ("error", error.error_code)))
            return None
        steps.append((label, shape(result)))
        return result

    step("create", lambda: client.create_registered_model(a, {"team": "x"}, "first"))
    step("create again", lambda: client.create_registered_model(a))
    step("create b", lambda: client.create_registered_model(b))
    step("create empty name", lambda: client.create_registered_model(""))
    for i in range(3):
        step(f"version {i}", lambda: client.create_model_version(a, SOURCE, tags={"i": "x"}))
    step("version of missing", lambda: client.create_model_version(f"{prefix}-no", SOURCE))
    step("get version", lambda: client.get_model_version(a, "2"))
    step("get missing version", lambda: client.get_model_version(a, "9"))
    step("get bad version", lambda: client.get_model_version(a, "abc"))

    step("to production", lambda: client.transition_model_version_stage(a, "1", "production"))
    step("to staging", lambda: client.transition_model_version_stage(a, "2", "STAGING"))
    step(
        "archive existing",
        lambda: client.transition_model_version_stage(a, "3", "Production", True),
    )
    step("bad stage", lambda: client.transition_model_version_stage(a, "2", "Prod"))
    step(
        "archive into Archived",
        lambda: client.transition_model_version_stage(a, "2", "Archived", True),
    )
    step("latest", lambda: sorted(_version(v) for v in client.get_latest_versions(a)))
    step("latest none", lambda: [_version(v) for v in client.get_latest_versions(a, ["None"])])
    step("latest bogus", lambda: client.get_latest_versions(a, ["bogus"]))

    step("alias", lambda: client.set_registered_model_alias(a, "champion", "1"))
    step("alias moves", lambda: client.set_registered_model_alias(a, "champion", "3"))
    step("alias 2", lambda: client.set_registered_model_alias(a, "also", "3"))
    step("alias latest", lambda: client.set_registered_model_alias(a, "latest", "1"))
    step("alias v3", lambda: client.set_registered_model_alias(a, "v3", "1"))
    step("alias to missing", lambda: client.set_registered_model_alias(a, "x", "9"))
    step("by alias", lambda: client.get_model_version_by_alias(a, "champion"))
    step("by unknown alias", lambda: client.get_model_version_by_alias(a, "nope"))
    step("delete alias", lambda: client.delete_registered_model_alias(a, "also"))

    step("model tag", lambda: client.set_registered_model_tag(a, "owner", "me"))
    step("delete model tag", lambda: client.delete_registered_model_tag(a, "team"))
    step("version tag", lambda: client.set_model_version_tag(a, "3", "ok", "yes"))
    step("delete version tag", lambda: client.delete_model_version_tag(a, "3", "i"))
    step("tag missing version", lambda: client.set_model_version_tag(a, "9", "k", "v"))
    step("describe model", lambda: client.update_registered_model(a, "better"))
    step("describe version", lambda: client.update_model_version(a, "3", "best"))
    step("model", lambda: client.get_registered_model(a))
    step("download uri", lambda: client.get_model_version_download_uri(a, "3"))

    like = f"name LIKE '{prefix}-%'"
    page = step("search page", lambda: client.search_registered_models(like, max_results=1))
    if page is not None:
        step(
            "search next",
            lambda: client.search_registered_models(like, max_results=1, page_token=page.token),
        )
    step("search desc", lambda: client.search_registered_models(like, order_by=["name DESC"]))
    step("search tag", lambda: client.search_registered_models(f"{like} AND tags.owner = 'me'"))
    step("search bad filter", lambda: client.search_registered_models("bogus = 1"))
    step(
        "versions asc",
        lambda: client.search_model_versions(
            f"name = '{a}' AND version_number >= 2", order_by=["version_number ASC"]
        ),
        _without_aliases,
    )
    step(
        "versions page",
        lambda: client.search_model_versions(f"name = '{a}'", max_results=2),
        _without_aliases,
    )

    for source in ("/etc/passwd", "s3://bucket/../other", "file:///etc/passwd"):
        step(f"source {source}", functools.partial(client.create_model_version, a, source))
    step(
        "after bad sources",
        lambda: client.search_model_versions(f"name = '{a}'"),
        _without_aliases,
    )

    renamed = f"{prefix}-c"
    step("rename onto existing", lambda: client.rename_registered_model(a, b))
    step("rename", lambda: client.rename_registered_model(a, renamed))
    step("renamed alias", lambda: client.get_model_version_by_alias(renamed, "champion"))
    step("old name", lambda: client.get_registered_model(a))
    step("delete version", lambda: client.delete_model_version(renamed, "3"))
    step("aliases after delete", lambda: client.get_registered_model(renamed))
    step("delete missing version", lambda: client.delete_model_version(renamed, "9"))
    step("delete model", lambda: client.delete_registered_model(renamed))
    step("deleted", lambda: client.get_registered_model(renamed))
    step("delete missing model", lambda: client.delete_registered_model(renamed))
    return steps


def test_same_answers_and_error_codes_as_mlflow(
    mlflow: Any, official_server: LiveServer, live_server: LiveServer
) -> None:
    expected = scenario(mlflow, official_server.url)
    got = scenario(mlflow, live_server.url)
    assert [label for label, _ in got] == [label for label, _ in expected]
    differ = []
    for (label, ours), (_, theirs) in zip(got, expected, strict=True):
        if label in DELIBERATE:
            assert (ours, theirs) == DELIBERATE[label], label
        elif ours != theirs:
            differ.append(f"step {label!r}: mltrail {ours!r} != mlflow {theirs!r}")
    assert not differ, "\n".join(differ)


def test_search_results_carry_aliases(mlflow: Any, live_server: LiveServer) -> None:
    client = mlflow.MlflowClient(tracking_uri=live_server.url, registry_uri=live_server.url)
    name = f"aliased-{uuid.uuid4().hex[:8]}"
    client.create_registered_model(name)
    client.create_model_version(name, SOURCE)
    client.set_registered_model_alias(name, "champion", "1")
    [found] = client.search_model_versions(f"name = '{name}'")
    assert found.aliases == ["champion"]
