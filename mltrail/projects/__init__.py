"""MLflow Projects: run an MLproject (or a folder of scripts) from a folder or a git URI,
in its declared environment, recorded as a tracking run.

    submitted = mltrail.projects.run("examples/sklearn_project", parameters={"alpha": 0.5})
"""

from __future__ import annotations

from mltrail.projects.runner import ExecutionError, run
from mltrail.projects.spec import EntryPoint, Parameter, Project, load_project
from mltrail.projects.submitted import SubmittedRun

ExecutionException = ExecutionError

__all__ = [
    "EntryPoint",
    "ExecutionError",
    "ExecutionException",
    "Parameter",
    "Project",
    "SubmittedRun",
    "load_project",
    "run",
]
