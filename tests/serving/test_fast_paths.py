"""The scoring server's fast paths give the same answers as the general ones.

`dataframe_split` bodies of float columns skip pandas' per-cell parsing; quick models are scored
on the event loop instead of a worker thread (`placement`); the bare ASGI app answers routes,
methods and lifespan events itself.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pandas as pd
import pytest

from mltrail.errors import MltrailError
from mltrail.models.model import Model
from mltrail.pyfunc import PyFuncModel
from mltrail.serving import create_scoring_app
from mltrail.serving.app import ScoringApp
from mltrail.serving.payload import float_split_frame, parse_payload, split_frame
from mltrail.serving.placement import INLINE_MAX_BODY, PROBATION, Cost, Placement, measured
from mltrail.types.schema import ColSpec, Schema

JSON = "application/json"
DOUBLES = Schema([ColSpec("double", "a"), ColSpec("double", "b")])
FLOATS = Schema([ColSpec("float", "a"), ColSpec("float", "b")])


def general_frame(split: dict[str, Any], schema: Schema) -> pd.DataFrame:
    """What the general path builds, for comparison (the fast path refused or bypassed)."""
    frame = pd.DataFrame(split["data"], columns=split.get("columns"), index=split.get("index"))
    for spec in schema.inputs:
        if spec.name in frame.columns:
            frame[spec.name] = frame[spec.name].astype(spec.type.to_numpy())
    return frame


@pytest.mark.parametrize(
    ("split", "schema"),
    [
        ({"columns": ["a", "b"], "data": [[0, 1.5], [3, 0]]}, DOUBLES),
        ({"columns": ["b", "a"], "data": [[1, 2]]}, DOUBLES),
        ({"columns": ["a", "b"], "index": [7, 8], "data": [[0.5, 1], [2, 3]]}, DOUBLES),
        ({"columns": ["a", "b"], "data": [[0.1, 1e300]]}, DOUBLES),
        ({"columns": ["a", "b"], "data": [[0.25, 1]]}, FLOATS),
        ({"columns": ["a"], "data": [[2]]}, DOUBLES),
        ({"columns": ["a", "b"], "data": [[True, 1.5]]}, DOUBLES),
    ],
    ids=[
        "ints-and-floats",
        "reordered",
        "index",
        "large",
        "float32",
        "one-column",
        "bool-in-floats",
    ],
)
def test_float_split_equals_the_general_frame(split: dict[str, Any], schema: Schema) -> None:
    fast = float_split_frame(split, schema)
    assert fast is not None
    pd.testing.assert_frame_equal(fast, general_frame(split, schema))
    parsed = parse_payload(JSON, orjson.dumps({"dataframe_split": split}), schema).data
    pd.testing.assert_frame_equal(parsed, fast)


@pytest.mark.parametrize(
    ("split", "schema"),
    [
        ({"columns": ["a", "b"], "data": [[0, "1"]]}, DOUBLES),
        ({"columns": ["a", "b"], "data": [[0, None]]}, DOUBLES),
        ({"columns": ["a", "b"], "data": [[True, False]]}, DOUBLES),
        ({"columns": ["a", "b"], "data": [[0, 1], [2]]}, DOUBLES),
        ({"columns": ["a", "c"], "data": [[0, 1]]}, DOUBLES),
        ({"columns": ["a", "a"], "data": [[0, 1]]}, DOUBLES),
        ({"columns": ["a", "b"], "data": []}, DOUBLES),
        ({"data": [[0, 1]]}, DOUBLES),
        ({"columns": ["a", "b"], "data": [[0, 1]]}, None),
        (
            {"columns": ["a", "b"], "data": [[0, 1]]},
            Schema([ColSpec("double", "a"), ColSpec("float", "b")]),
        ),
        (
            {"columns": ["a", "b"], "data": [[0, 1]]},
            Schema([ColSpec("long", "a"), ColSpec("long", "b")]),
        ),
        ({"columns": ["a", "b"], "data": [[2**70, 1]]}, DOUBLES),
        ({"columns": ["a", "b"], "data": [[[1], [2]]]}, DOUBLES),
    ],
    ids=[
        "string",
        "null",
        "bool",
        "ragged",
        "unknown-column",
        "duplicate-column",
        "no-rows",
        "no-columns",
        "no-schema",
        "mixed-floats",
        "longs",
        "huge-int",
        "nested",
    ],
)
def test_other_splits_take_the_general_path(split: dict[str, Any], schema: Schema | None) -> None:
    assert float_split_frame(split, schema) is None


def test_the_general_path_still_reports_bad_split_values() -> None:
    with pytest.raises(MltrailError, match="Failed to convert column b"):
        split_frame({"columns": ["a", "b"], "data": [[0, "x"]]}, DOUBLES)


# -- placement ---------------------------------------------------------------------------------
QUICK = Cost(wall_s=0.001, cpu_s=0.001, blocked=False)
BUSY = Cost(wall_s=1.0, cpu_s=0.9, blocked=False)
WAITING = Cost(wall_s=1.0, cpu_s=0.0, blocked=True)
PREEMPTED = Cost(wall_s=1.0, cpu_s=0.0, blocked=False)


def test_a_model_moves_to_the_loop_after_quick_predictions_in_the_pool() -> None:
    placement = Placement(timeout=60)
    for _ in range(PROBATION - 1):
        placement.observe(QUICK, 100, on_loop=False)
    assert not placement.on_loop(100)
    placement.observe(QUICK, 100, on_loop=False)
    assert placement.on_loop(100)
    assert not placement.on_loop(INLINE_MAX_BODY + 1)


@pytest.mark.parametrize("slow", [BUSY, WAITING], ids=["busy", "waiting"])
def test_a_slow_prediction_restarts_the_probation(slow: Cost) -> None:
    placement = Placement(timeout=60)
    for _ in range(PROBATION - 1):
        placement.observe(QUICK, 100, on_loop=False)
    placement.observe(slow, 100, on_loop=False)
    placement.observe(QUICK, 100, on_loop=False)
    assert not placement.on_loop(100)


def test_waiting_to_be_scheduled_is_not_slow_but_a_slow_call_on_the_loop_demotes_for_good() -> None:
    placement = Placement(timeout=60)
    for _ in range(PROBATION):
        placement.observe(QUICK, 100, on_loop=False)
    placement.observe(PREEMPTED, 100, on_loop=True)
    assert placement.on_loop(100)
    placement.observe(WAITING, 100, on_loop=True)
    assert not placement.on_loop(100)
    for _ in range(2 * PROBATION):
        placement.observe(QUICK, 100, on_loop=False)
    assert not placement.on_loop(100)


def test_measured_reports_blocking_and_errors() -> None:
    costs: list[Cost] = []
    event = threading.Event()
    threading.Timer(0.05, event.set).start()
    assert measured(lambda: event.wait(5), costs.append) is True
    assert costs[-1].blocked
    assert costs[-1].wall_s >= 0.04

    def fail() -> None:
        raise ValueError("bad")

    with pytest.raises(ValueError, match="bad"):
        measured(fail, costs.append)
    assert len(costs) == 2


# -- the app on the loop -----------------------------------------------------------------------
@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def sklearn_client(
    sklearn_model: Path,
) -> AsyncIterator[tuple[ScoringApp, httpx.AsyncClient]]:
    app = create_scoring_app(str(sklearn_model))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        yield app, client


@pytest.mark.anyio
async def test_answers_are_the_same_once_the_model_is_scored_on_the_loop(
    sklearn_client: tuple[ScoringApp, httpx.AsyncClient],
) -> None:
    app, client = sklearn_client
    body = {"dataframe_split": {"columns": ["a", "b"], "data": [[0, 1], [3, 0]]}}
    answers = [await client.post("/invocations", json=body) for _ in range(PROBATION + 3)]
    assert app.placement.on_loop(100)
    assert {a.status_code for a in answers} == {200}
    assert {a.content for a in answers} == {b'{"predictions":[0,1]}'}
    missing = await client.post("/invocations", json={"dataframe_records": [{"a": 0.0}]})
    assert missing.status_code == 400
    assert "Model is missing inputs ['b']" in missing.json()["message"]
    bad = await client.post("/invocations", content=b"{nope", headers={"content-type": JSON})
    assert bad.json()["error_code"] == "BAD_REQUEST"
    assert app.placement.on_loop(100)


class Sleepy:
    """A model that waits on something (as one calling a remote service does)."""

    def predict(self, data: Any) -> Any:
        threading.Event().wait(0.3)
        return [1]


@pytest.mark.anyio
async def test_a_slow_model_stays_in_the_pool_where_the_timeout_holds() -> None:
    app = create_scoring_app(PyFuncModel(Model(), Sleepy()), timeout=0.2)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        for _ in range(2):
            answer = await client.post("/invocations", json={"inputs": [1]})
            assert answer.status_code == 504
    assert not app.placement.on_loop(10)


@pytest.mark.anyio
async def test_routes_methods_and_head(
    sklearn_client: tuple[ScoringApp, httpx.AsyncClient],
) -> None:
    _, client = sklearn_client
    assert (await client.head("/ping")).status_code == 200
    wrong = await client.post("/ping")
    assert wrong.status_code == 405
    assert wrong.headers["allow"] == "GET, HEAD"
    assert wrong.json()["error_code"] == "BAD_REQUEST"
    assert (await client.get("/invocations")).headers["allow"] == "POST"
    missing = await client.get("/ping/extra")
    assert (missing.status_code, missing.json()["error_code"]) == (404, "ENDPOINT_NOT_FOUND")


@pytest.mark.anyio
async def test_lifespan_and_a_body_in_chunks(sklearn_model: Path) -> None:
    app = create_scoring_app(str(sklearn_model))
    sent: list[dict[str, Any]] = []

    async def send(message: Any) -> None:
        sent.append(message)

    events = iter([{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}])

    async def lifespan_receive() -> Any:
        return next(events)

    await app({"type": "lifespan"}, lifespan_receive, send)
    assert [m["type"] for m in sent] == ["lifespan.startup.complete", "lifespan.shutdown.complete"]

    app = create_scoring_app(str(sklearn_model))
    body = orjson.dumps({"dataframe_records": [{"a": 3.0, "b": 0.0}]})
    chunks = iter(
        [
            {"type": "http.request", "body": body[:5], "more_body": True},
            {"type": "http.request", "body": body[5:], "more_body": False},
        ]
    )

    async def receive() -> Any:
        return next(chunks)

    sent.clear()
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/invocations",
        "headers": [(b"content-type", b"application/json")],
    }
    await app(scope, receive, send)
    assert sent[0]["status"] == 200
    assert orjson.loads(sent[1]["body"]) == {"predictions": [1]}
