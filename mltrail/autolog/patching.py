"""Safe patching: replace a library function so each call can be logged, without ever changing
what the call does for the user.

The wrapper, not the integration, calls the original function. An integration only supplies
`Hooks` (before / after / failed), and every hook runs inside a guard that turns its errors into
a warning. So the user's result is returned as is, the user's exception propagates unchanged
(same object, same traceback), and a logging failure never stops training.

Nesting: while a patched call of a library runs on a thread, further patched calls of the same
library on that thread (a Pipeline's steps, a search's candidates, `score` calling `predict`)
just run the original, so only the outermost call logs.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from mltrail.autolog import config as _config
from mltrail.autolog import events, runs

ORIGINAL_ATTR = "__mltrail_autolog_original__"


@dataclass
class Call:
    """One intercepted call, as the hooks see it."""

    flavor: str
    config: _config.AutologConfig
    original: Callable[..., Any]
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    is_method: bool
    run: runs.RunScope | None = None
    state: dict[str, Any] = field(default_factory=dict)

    @property
    def instance(self) -> Any:
        """`self` of a patched method."""
        return self.args[0]

    def arguments(self) -> dict[str, Any]:
        """The call's arguments by parameter name (defaults not applied)."""
        try:
            bound = inspect.signature(self.original).bind(*self.args, **self.kwargs)
        except (TypeError, ValueError):
            return dict(self.kwargs)
        return dict(bound.arguments)

    def with_defaults(self) -> dict[str, Any]:
        """The call's arguments by parameter name, defaults filled in."""
        bound = inspect.signature(self.original).bind(*self.args, **self.kwargs)
        bound.apply_defaults()
        return dict(bound.arguments)

    def set_argument(self, name: str, value: Any) -> None:
        """Pass `value` as parameter `name` to the original (from a `before` hook)."""
        bound = inspect.signature(self.original).bind(*self.args, **self.kwargs)
        bound.arguments[name] = value
        self.args, self.kwargs = tuple(bound.args), dict(bound.kwargs)

    @property
    def run_id(self) -> str:
        if self.run is None:
            raise RuntimeError("this patched call has no run")
        return self.run.run_id


class Hooks:
    """What an integration does around one call; override the parts you need."""

    def __init__(self, call: Call) -> None:
        self.call = call

    def before(self) -> None:
        """Runs before the original (inside the run, when the patch starts runs). It may add
        to `call.kwargs` (e.g. a callback collecting per-iteration metrics); if it fails, the
        original gets the user's arguments untouched."""

    def after(self, result: Any) -> None:
        """Runs after the original returned `result`."""

    def failed(self, error: BaseException) -> None:
        """Runs after the original raised `error` (which then propagates unchanged)."""

    def attempt(self, what: str, step: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run one logging step; a failure warns and the remaining steps still run."""
        try:
            return step(*args, **kwargs)
        except Exception as error:
            events.failed(self.call.flavor, what, error)
            return None


HooksFactory = Callable[[Call], "Hooks | None"]


@dataclass(frozen=True)
class _Patch:
    owner: Any
    name: str
    original: Any  # what owner.__dict__[name] held (None: inherited / absent)
    had_own: bool


_patches: dict[str, list[_Patch]] = {}
_patches_lock = threading.RLock()
_depth = threading.local()


def inside(flavor: str) -> bool:
    """Whether this thread is inside a patched call of `flavor`."""
    return bool(getattr(_depth, flavor, 0))


@contextlib.contextmanager
def _entered(flavor: str) -> Iterator[None]:
    setattr(_depth, flavor, getattr(_depth, flavor, 0) + 1)
    try:
        yield
    finally:
        setattr(_depth, flavor, getattr(_depth, flavor, 0) - 1)


def patch(
    flavor: str, owner: Any, name: str, factory: HooksFactory, *, starts_run: bool = False
) -> bool:
    """Patch `owner.name` (a class's method or a module's function); False if already patched.

    `starts_run`: the call logs into the active run, or into a run started for it and ended
    after it (FAILED if the call raised).
    """
    with _patches_lock:
        own = owner.__dict__.get(name) if hasattr(owner, "__dict__") else None
        current = getattr(owner, name)
        if getattr(current, ORIGINAL_ATTR, None) is not None and own is not None:
            return False
        is_method = inspect.isclass(owner)
        original = current if not is_method else _plain_function(owner, name)
        wrapper = _wrap(flavor, original, factory, is_method=is_method, starts_run=starts_run)
        setattr(owner, name, wrapper)
        _patches.setdefault(flavor, []).append(_Patch(owner, name, own, own is not None))
        return True


def _plain_function(owner: type, name: str) -> Callable[..., Any]:
    raw = inspect.getattr_static(owner, name)
    if isinstance(raw, (staticmethod, classmethod)):
        raise TypeError(f"{owner.__name__}.{name} is not a plain method")
    if not callable(raw):
        raise TypeError(f"{owner.__name__}.{name} is not callable")
    return raw  # type: ignore[no-any-return]


def unpatch_all(flavor: str) -> None:
    """Put back everything `flavor` patched (most recent first)."""
    with _patches_lock:
        for item in reversed(_patches.pop(flavor, [])):
            if item.had_own:
                setattr(item.owner, item.name, item.original)
            else:
                with contextlib.suppress(AttributeError):
                    delattr(item.owner, item.name)


def patched_count(flavor: str) -> int:
    with _patches_lock:
        return len(_patches.get(flavor, ()))


def _wrap(
    flavor: str,
    original: Callable[..., Any],
    factory: HooksFactory,
    *,
    is_method: bool,
    starts_run: bool,
) -> Callable[..., Any]:
    @functools.wraps(original)
    def patched(*args: Any, **kwargs: Any) -> Any:
        current = _config.get(flavor)
        if current is None or inside(flavor):
            return original(*args, **kwargs)
        with _entered(flavor):
            call = Call(flavor, current, original, args, dict(kwargs), is_method)
            hooks = _start(call, factory, starts_run)
            if hooks is None:  # the user's own arguments, untouched
                call.args, call.kwargs = args, kwargs
            try:
                result = original(*call.args, **call.kwargs)
            except BaseException as error:
                if hooks is not None:
                    _finish(hooks, error, None)
                raise
            if hooks is not None:
                _finish(hooks, None, result)
            return result

    setattr(patched, ORIGINAL_ATTR, original)
    return patched


def _start(call: Call, factory: HooksFactory, starts_run: bool) -> Hooks | None:
    """The hooks for this call, its run begun and `before` run; None when nothing will log."""
    try:
        if starts_run:
            call.run = runs.begin(call.flavor, call.config)
            if call.run is None:  # exclusive, and the user's run is active
                return None
        hooks = factory(call)
        if hooks is not None:
            hooks.before()
        elif call.run is not None:
            runs.end(call.run, failed=False)
        return hooks
    except Exception as error:
        events.failed(call.flavor, "prepare logging", error)
        if call.run is not None:
            with contextlib.suppress(Exception):
                runs.end(call.run, failed=False)
        return None


def _finish(hooks: Hooks, error: BaseException | None, result: Any) -> None:
    call = hooks.call
    try:
        if error is None:
            hooks.after(result)
        else:
            hooks.failed(error)
    except Exception as problem:
        events.failed(call.flavor, "log", problem)
    finally:
        if call.run is not None:
            try:
                runs.end(call.run, failed=error is not None)
            except Exception as problem:
                events.failed(call.flavor, "end the run", problem)
