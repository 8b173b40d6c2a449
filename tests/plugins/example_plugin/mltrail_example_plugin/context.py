"""A run-context provider: adds tags to every new run while its switch variable is set."""

from __future__ import annotations

import os

SWITCH_ENV = "MLTRAIL_TEST_EXAMPLE_CONTEXT"


class ExampleRunContext:
    def in_context(self) -> bool:
        return bool(os.environ.get(SWITCH_ENV))

    def tags(self) -> dict[str, str]:
        return {"example.context": os.environ[SWITCH_ENV], "mlflow.source.type": "JOB"}
