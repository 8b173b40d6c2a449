"""MLflow's REST wire format: JSON encoding, entity codecs and per-endpoint request schemas.

Shared by the server (requests in, entities out) and the REST client (the reverse), so both
sides agree on every field name, type and the NaN/Infinity convention.
"""
