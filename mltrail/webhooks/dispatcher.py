"""`WebhookDispatcher`: the server fires registry events into it; deliveries run on a bounded
thread pool so an API call never waits for a receiver (or for the subscriber lookup).

One dispatcher per app (built in `ServerContext.build`); no module-level state. Which webhooks
listen to an event is remembered for `cache_ttl` seconds (MLflow does the same), so a registry
write with no subscribers costs a dict lookup; this process forgets it at once when webhooks
change (`invalidate`), other worker processes after the TTL.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Protocol

from mltrail.entities import PagedList
from mltrail.entities.registry import RegisteredModel
from mltrail.entities.webhook import Webhook, WebhookEvent
from mltrail.webhooks.delivery import DeliveryOptions, deliver

log = logging.getLogger(__name__)

PROMPT_TAG = "mlflow.prompt.is_prompt"
PAGE_SIZE = 1000


class WebhookSource(Protocol):
    """What the dispatcher reads from the registry store."""

    def list_webhooks_by_event(
        self, event: WebhookEvent, max_results: int = ..., page_token: str | None = ...
    ) -> PagedList[Webhook]: ...

    def get_registered_model(self, name: str) -> RegisteredModel: ...


def is_prompt(tags: Mapping[str, str]) -> bool:
    return str(tags.get(PROMPT_TAG, "")).lower() == "true"


class WebhookDispatcher:
    def __init__(
        self,
        store: WebhookSource,
        options: DeliveryOptions,
        max_workers: int,
        cache_ttl: float = 60.0,
    ) -> None:
        self._store = store
        self._options = options
        self._max_workers = max(1, max_workers)
        self._ttl = cache_ttl
        self._cache: dict[WebhookEvent, tuple[float, list[Webhook]]] = {}
        self._generation = 0  # bumped by `invalidate`
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()
        self._pending = 0  # dispatches and deliveries not finished yet
        self._idle = threading.Condition(self._lock)

    def fire(
        self, event: WebhookEvent, payload: Mapping[str, Any], *, model: str | None = None
    ) -> Future[None] | None:
        """Deliver `event` to its active webhooks in the background (None: nobody listens).

        With `model`, nothing is sent when that model is a prompt: prompts have their own
        events, which this registry does not emit.
        """
        known = self._cached(event)
        if known is not None and not known:
            return None
        return self._submit(self._dispatch, event, dict(payload), model)

    def invalidate(self) -> None:
        """Forget the remembered subscribers (call after webhooks change)."""
        with self._lock:
            self._cache.clear()
            self._generation += 1

    def _cached(self, event: WebhookEvent) -> list[Webhook] | None:
        entry = self._cache.get(event)
        if entry is None or time.monotonic() - entry[0] > self._ttl:
            return None
        return entry[1]

    def wait_idle(self, timeout: float) -> bool:
        """Wait until every fired event is delivered (or given up); False on timeout."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def close(self, timeout: float = 10.0) -> None:
        """Let queued deliveries finish for up to `timeout` seconds, then stop the threads."""
        self.wait_idle(timeout)
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

    def _submit(self, work: Callable[..., None], *args: Any) -> Future[None]:
        pool = self._executor()
        with self._lock:
            self._pending += 1
        try:
            future = pool.submit(work, *args)
        except BaseException:
            self._finished(None)
            raise
        future.add_done_callback(self._finished)
        return future

    def _finished(self, _future: Future[None] | None) -> None:
        with self._idle:
            self._pending -= 1
            if self._pending == 0:
                self._idle.notify_all()

    def _executor(self) -> ThreadPoolExecutor:
        pool = self._pool
        if pool is None:
            with self._lock:
                pool = self._pool
                if pool is None:
                    # Created on first use: a server that never fires starts no threads.
                    pool = self._pool = ThreadPoolExecutor(
                        self._max_workers, thread_name_prefix="mltrail-webhook"
                    )
        return pool

    def _dispatch(self, event: WebhookEvent, payload: dict[str, Any], model: str | None) -> None:
        try:
            webhooks = self._subscribers(event)
            if not webhooks or (model is not None and self._is_prompt(model)):
                return
            for webhook in webhooks:
                self._submit(self._deliver, webhook, event, payload)
        except Exception:
            log.exception("Could not dispatch webhook event %s", event)

    def _subscribers(self, event: WebhookEvent) -> list[Webhook]:
        known = self._cached(event)
        if known is not None:
            return known
        with self._lock:
            generation = self._generation
        started = time.monotonic()
        found = self._query(event)
        with self._lock:
            # A change made while we were reading must not be hidden behind our older answer.
            if generation == self._generation:
                self._cache[event] = (started, found)
        return found

    def _query(self, event: WebhookEvent) -> list[Webhook]:
        found: list[Webhook] = []
        token: str | None = None
        while True:
            page = self._store.list_webhooks_by_event(event, PAGE_SIZE, token)
            found.extend(page)
            token = page.token
            if not token:
                return found

    def _is_prompt(self, name: str) -> bool:
        try:
            return is_prompt(self._store.get_registered_model(name).tags)
        except Exception:  # deleted meanwhile: not a prompt as far as we know
            return False

    def _deliver(self, webhook: Webhook, event: WebhookEvent, payload: dict[str, Any]) -> None:
        try:
            answer = deliver(webhook, event, payload, self._options)
        except Exception as error:
            log.warning(
                "Webhook %s (%s) failed for %s: %s", webhook.name, webhook.webhook_id, event, error
            )
            return
        if answer.status >= 400:
            log.warning(
                "Webhook %s (%s) answered %s for %s",
                webhook.name,
                webhook.webhook_id,
                answer.status,
                event,
            )
