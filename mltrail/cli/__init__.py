"""The `mltrail` command line; `mltrail.cli.main:cli` is the entry point."""
