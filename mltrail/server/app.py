"""`create_app(settings)`: the tracking server as a Starlette ASGI app.

Stores are built once per app (per worker process) and kept on ``app.state``; routes come
from the resource modules as data. `app_from_env` is the uvicorn factory used by workers.
"""

from __future__ import annotations

import gc
import os
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Match, Mount, Route, Router
from starlette.types import Receive, Scope, Send

from mltrail.errors import MltrailError
from mltrail.server import artifacts_proxy, ui
from mltrail.server.context import ServerContext
from mltrail.server.errors import handle_error
from mltrail.server.routes import (
    artifacts,
    experiments,
    logged_models,
    meta,
    metrics,
    model_versions,
    registered_models,
    runs,
    webhooks,
)
from mltrail.server.routes import ui as ui_routes
from mltrail.server.security import SecurityMiddleware
from mltrail.server.settings import ServerSettings
from mltrail.store.uri import scheme_of

TRACKING_ROUTES: tuple[list[BaseRoute], ...] = (
    experiments.routes,
    runs.routes,
    metrics.routes,
    logged_models.routes,
    artifacts.routes,
    registered_models.routes,
    model_versions.routes,
    webhooks.routes,
    ui_routes.routes,
)


class IndexedRouter(Router):
    """Starlette's router, remembering which route without path parameters answered a path and
    verb, so repeated API calls skip the linear scan of some two hundred route patterns."""

    def __init__(self, routes: list[BaseRoute]) -> None:
        super().__init__(routes=routes)
        self._known: dict[tuple[str, str, str], Route] = {}
        self._own = {id(route) for route in self.routes}  # not those inside a Mount

    async def app(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().app(scope, receive, send)
            return
        key = (scope.get("root_path", ""), scope["path"], scope["method"])
        known = self._known.get(key)
        if known is not None:
            match, child_scope = known.matches(scope)
            if match is Match.FULL:
                scope.setdefault("router", self)
                scope["route"] = known
                scope.update(child_scope)
                await known.handle(scope, receive, send)
                return
        await super().app(scope, receive, send)
        # Same path and verb, same first full match: the scan's answer holds for next time.
        route = scope.get("route")
        if (
            isinstance(route, Route)
            and id(route) in self._own
            and not route.param_convertors
            and (route.methods is None or key[2] in route.methods)
        ):
            self._known[key] = route


def build_routes(settings: ServerSettings) -> list[BaseRoute]:
    routes: list[BaseRoute] = [*ui.routes(), *meta.routes]  # the UI's `/` wins over meta's
    if not settings.artifacts_only:
        routes += [route for group in TRACKING_ROUTES for route in group]
    if settings.serve_artifacts or settings.artifacts_only:
        routes += artifacts_proxy.routes
    prefix = settings.static_prefix.rstrip("/")
    return [Mount(prefix, routes=routes)] if prefix else routes


def redactions(settings: ServerSettings) -> tuple[str, ...]:
    """Server-side paths that must never appear in an error message."""
    paths = [settings.artifacts_destination, settings.default_artifact_root]
    local = [p for p in paths if p and scheme_of(p) == ""]
    resolved = [str(Path(p).resolve()) for p in local]
    return tuple(sorted({*local, *resolved}, key=len, reverse=True))


def create_app(settings: ServerSettings) -> Starlette:
    app = Starlette(
        routes=build_routes(settings),
        middleware=[Middleware(SecurityMiddleware, settings=settings)],
        exception_handlers={
            MltrailError: handle_error,
            HTTPException: handle_error,
            Exception: handle_error,
        },
        debug=False,
    )
    app.router = IndexedRouter(app.router.routes)
    app.state.settings = settings
    app.state.context = ServerContext.build(settings)
    app.state.redactions = redactions(settings)
    return app


def app_from_env() -> Starlette:
    """uvicorn factory: every worker builds the same app from the settings the CLI passed."""
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    app = create_app(ServerSettings.from_env())
    # Everything imported and built so far lives as long as the worker: moved out of the
    # collector's generations, it is no longer traversed by every full collection, whose pauses
    # otherwise show up in the slowest requests.
    gc.freeze()
    return app
