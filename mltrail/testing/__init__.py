"""Shipped test helpers: throw-away databases and the contract suites every backend must pass."""
