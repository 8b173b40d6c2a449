"""The generic `python_function` flavor (`mlflow.pyfunc` equivalents): custom Python models,
`load_model` for any flavor, and `PyFuncModel` with signature enforcement.
"""

from __future__ import annotations

from mltrail.pyfunc.loading import load_model
from mltrail.pyfunc.model import PythonModel, PythonModelContext
from mltrail.pyfunc.pyfunc_model import PyFuncModel
from mltrail.pyfunc.saving import log_model, save_model
from mltrail.pyfunc.spark import spark_udf

FLAVOR_NAME = "python_function"
load_pyfunc = load_model

__all__ = [
    "FLAVOR_NAME",
    "PyFuncModel",
    "PythonModel",
    "PythonModelContext",
    "load_model",
    "load_pyfunc",
    "log_model",
    "save_model",
    "spark_udf",
]
