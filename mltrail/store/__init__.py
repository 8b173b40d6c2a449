"""Storage backends: tracking, registry and artifacts, each behind small typed Protocols."""
