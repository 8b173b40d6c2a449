"""Registry webhooks: checking endpoints, signing and delivering events, and dispatching them
in the background for the server.

Modules: `addresses` (which URLs and addresses may be called), `signing` (the HMAC header),
`delivery` (one POST with retries, pinned to a checked address), `payloads` (test examples),
`wire` (MLflow's JSON for webhooks), `dispatcher` (a bounded pool the server fires events into).
This package sits below `mltrail.store` (the SQL store validates URLs and sends test deliveries
with it) and never imports a store: the dispatcher reads webhooks through a small Protocol.
"""

from mltrail.webhooks.signing import sign, verify_signature

__all__ = ["sign", "verify_signature"]
