"""`spark_udf`: apply any pyfunc model to the columns of a Spark DataFrame.

The driver resolves the model URI once, zips the model directory and ships it to the executors
with `SparkContext.addFile`. The UDF is an iterator-of-batches pandas UDF: each executor Python
worker unpacks and loads the model once (kept for the worker's lifetime, since Spark reuses
workers) and then predicts batch after batch. Outputs are converted to the requested Spark type
with MLflow's rules: a scalar type takes the leftmost compatible column, an array type every
compatible column, a struct type the columns named by its fields.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mltrail.errors import ErrorCode, InvalidParameter, MltrailError
from mltrail.models.model import PYFUNC_FLAVOR, Model
from mltrail.models.signature import ModelSignature
from mltrail.types.datatypes import Array, DataType
from mltrail.types.schema import Schema, TensorSpec

if TYPE_CHECKING:
    import pandas as pd
    from pyspark.sql import Column, SparkSession
    from pyspark.sql import types as st

    from mltrail.envs.scoring import ScoringServer
    from mltrail.pyfunc.pyfunc_model import PyFuncModel

_SCALAR_DDL = ("int", "long", "float", "double", "string", "boolean")
_INT32 = (-(2**31), 2**31 - 1)
_INT64 = (-(2**63), 2**63 - 1)
# Models loaded in this (executor worker) process, by shipped archive name.
_LOADED: dict[str, PyFuncModel] = {}
# Scoring servers (env_manager other than local) this worker started, by archive name.
_SERVERS: dict[str, ScoringServer] = {}


def spark_udf(
    spark: SparkSession,
    model_uri: str,
    result_type: st.DataType | str | None = None,
    env_manager: str | None = None,
    params: Mapping[str, Any] | None = None,
    extra_env: Mapping[str, str] | None = None,
    prebuilt_env_uri: str | None = None,
    model_config: str | Mapping[str, Any] | None = None,
) -> Callable[..., Column]:
    """A pandas UDF that predicts with the model at `model_uri` on DataFrame columns.

    Call it with column names or `Column`s (mapped in order to the signature's input names, or
    named ``"0"``, ``"1"``... without a signature), with one `struct(...)` column (the struct's
    field names become the model's column names), or with no argument to use the signature's
    input names. `result_type` is a Spark `DataType` or a DDL string; by default it follows the
    signature's outputs, else ``double``.
    """
    from pyspark.sql.pandas.functions import pandas_udf

    from mltrail.models.enforce import enforce_params
    from mltrail.models.uris import download_model

    if prebuilt_env_uri is not None:
        raise InvalidParameter("prebuilt_env_uri is only supported on Databricks")
    manager = None if env_manager in (None, "local") else env_manager
    if manager is not None:
        from mltrail.envs.model import check_manager

        check_manager(manager)  # an unknown manager or a missing conda fails on the driver
    local = download_model(str(model_uri))
    meta = Model.load(local)
    if PYFUNC_FLAVOR not in meta.flavors:
        raise InvalidParameter(
            f"The model at {model_uri} has no {PYFUNC_FLAVOR!r} flavor, so spark_udf cannot "
            f"apply it; it has {sorted(meta.flavors)}."
        )
    signature = meta.signature
    # Fail on the driver, not in every task: params are checked against the signature now.
    enforce_params(dict(params) if params else None, signature.params if signature else None)
    spark_type = result_spark_type(result_type, signature)
    if manager is not None:
        from mltrail.envs.model import prepare

        # Built once here; executors on this machine (or sharing the env root) reuse it.
        prepare(Path(local), manager)
    archive = _ship(spark, local)
    config = dict(model_config) if isinstance(model_config, Mapping) else model_config
    batches = _batch_function(
        archive, spark_type, dict(params or {}) or None, dict(extra_env or {}), config, manager
    )
    udf = pandas_udf(batches, spark_type)  # type: ignore[call-overload]
    defaults = _input_names(signature)

    def predict(*columns: str | Column) -> Column:
        if columns:
            return udf(*columns)  # type: ignore[no-any-return]
        if not defaults:
            raise InvalidParameter(
                "The model's signature names no input columns: call the UDF with the columns "
                "to predict on, e.g. udf('a', 'b') or udf(struct('a', 'b'))."
            )
        from pyspark.sql.functions import col

        return udf(*(col(f"`{name}`") for name in defaults))  # type: ignore[no-any-return]

    predict.__name__ = udf.__name__
    return predict


# -- driver side ---------------------------------------------------------------------------
def result_spark_type(
    result_type: st.DataType | str | None, signature: ModelSignature | None
) -> st.DataType:
    """The UDF's Spark return type: as given (checked), else from the output schema, else double."""
    from pyspark.sql.types import DoubleType

    if result_type is None:
        outputs = signature.outputs if signature is not None else None
        return DoubleType() if outputs is None else _type_of_outputs(outputs)
    if isinstance(result_type, str):
        text = result_type.strip()
        try:
            parsed = _ddl("boolean" if text.lower() == "bool" else text)
        except Exception as problem:
            raise InvalidParameter(
                f"result_type {result_type!r} is not a Spark DDL type string: {problem}"
            ) from None
    else:
        parsed = result_type
    _check_result_type(parsed)
    return parsed


def _check_result_type(spark_type: st.DataType) -> None:
    from pyspark.sql.types import ArrayType, StructType

    def plain(t: st.DataType) -> bool:
        return scalar_name(t) is not None or (
            isinstance(t, ArrayType) and scalar_name(t.elementType) is not None
        )

    fields = spark_type.fields if isinstance(spark_type, StructType) else None
    if plain(spark_type) or (fields and all(plain(f.dataType) for f in fields)):
        return
    raise InvalidParameter(
        f"Unsupported result_type {spark_type.simpleString()!r}: use one of "
        f"{', '.join(_SCALAR_DDL)}, an array of one of them, or a struct of those."
    )


def _type_of_outputs(outputs: Schema) -> st.DataType:
    from pyspark.sql.types import ArrayType, StructField, StructType

    specs = list(outputs)
    if outputs.is_tensor_spec():
        spec = specs[0]
        assert isinstance(spec, TensorSpec)
        element = _spark_type_of_numpy(spec.type)
        return element if len(specs) == 1 and len(spec.shape) <= 1 else ArrayType(element)
    if len(specs) == 1:
        return _spark_type_of_column(specs[0].type)
    return StructType(
        [
            StructField(
                str(spec.name if spec.name is not None else i), _spark_type_of_column(spec.type)
            )
            for i, spec in enumerate(specs)
        ]
    )


def scalar_name(spark_type: st.DataType) -> str | None:
    """The short name of a supported scalar Spark type ("int", "long", ...), else None."""
    from pyspark.sql import types as st

    kinds = (
        (st.IntegerType, "int"),
        (st.LongType, "long"),
        (st.FloatType, "float"),
        (st.DoubleType, "double"),
        (st.StringType, "string"),
        (st.BooleanType, "boolean"),
    )
    return next((name for kind, name in kinds if isinstance(spark_type, kind)), None)


def _spark_type_of_column(value_type: Any) -> st.DataType:
    from pyspark.sql.types import ArrayType

    if isinstance(value_type, Array):
        return ArrayType(_spark_type_of_column(value_type.dtype))
    names = {
        DataType.boolean: "boolean",
        DataType.integer: "int",
        DataType.long: "long",
        DataType.float: "float",
        DataType.double: "double",
        DataType.string: "string",
    }
    if isinstance(value_type, DataType) and value_type in names:
        return _ddl(names[value_type])
    raise InvalidParameter(
        f"The model's output type {value_type!r} has no Spark result type spark_udf supports: "
        "pass result_type explicitly."
    )


def _spark_type_of_numpy(dtype: Any) -> st.DataType:
    kind, size = dtype.kind, dtype.itemsize
    name = {"b": "boolean", "f": "float" if size <= 4 else "double", "U": "string", "O": "string"}
    if kind in "iu":
        return _ddl("int" if size < 4 or (kind == "i" and size == 4) else "long")
    if kind in name:
        return _ddl(name[kind])
    raise InvalidParameter(f"No Spark result type for the model's output dtype {dtype}")


def _ddl(text: str) -> st.DataType:
    """Parse a DDL type string (`DataType.fromDDL` is pyspark 4; 3.5 has the older parser)."""
    from pyspark.sql import types

    parse = getattr(types.DataType, "fromDDL", None)
    if parse is None:
        return types._parse_datatype_string(text)
    parsed: st.DataType = parse(text)
    return parsed


def _input_names(signature: ModelSignature | None) -> list[str]:
    inputs = signature.inputs if signature is not None else None
    if inputs is None or not inputs.has_input_names():
        return []
    return [str(name) for name in inputs.input_names()]


def _ship(spark: SparkSession, model_dir: str) -> str:
    """Zip the model and register it with Spark; return the file name executors fetch."""
    folder = tempfile.mkdtemp(prefix="mltrail-spark-udf-")
    atexit.register(shutil.rmtree, folder, True)  # Spark serves the file until the end
    archive = shutil.make_archive(
        os.path.join(folder, f"model-{uuid.uuid4().hex}"), "zip", model_dir
    )
    spark.sparkContext.addFile(archive)
    return os.path.basename(archive)


def _batch_function(
    archive: str,
    spark_type: st.DataType,
    params: dict[str, Any] | None,
    extra_env: dict[str, str],
    model_config: str | dict[str, Any] | None,
    env_manager: str | None = None,
) -> Callable[..., Iterator[Any]]:
    """The pandas UDF body: load the model once, then predict on each batch of columns.
    With an `env_manager`, the model runs in its own environment behind a scoring server."""
    from typing import Union

    import pandas as pd
    from pyspark.sql.types import StructType

    def apply(batches: Any) -> Any:
        if env_manager is None:
            model = worker_model(archive, extra_env, model_config)
            signature, predict = model.metadata.signature, model.predict
        else:
            signature, predict = worker_server(archive, env_manager, extra_env)
        for batch in batches:
            columns = batch if isinstance(batch, tuple) else (batch,)
            rows = len(columns[0])
            data = input_frame(columns, signature)
            yield convert_output(predict(data, params=params), spark_type, rows)

    struct = isinstance(spark_type, StructType)
    returns = Iterator[pd.DataFrame] if struct else Iterator[pd.Series]
    # pandas_udf picks the UDF kind (iterator of column tuples) from these annotations.
    apply.__annotations__ = {
        "batches": Iterator[tuple[Union[pd.Series, pd.DataFrame], ...]],  # noqa: UP007
        "return": returns,
    }
    apply.__name__ = "predict"
    return apply


# -- executor side -------------------------------------------------------------------------
def worker_model(
    archive: str, extra_env: Mapping[str, str], model_config: str | dict[str, Any] | None
) -> PyFuncModel:
    """The model shipped as `archive`, unpacked and loaded once per worker process."""
    model = _LOADED.get(archive)
    if model is None:
        from mltrail.pyfunc.loading import load_model

        os.environ.update(extra_env)
        target = _unpacked(archive)
        model = _LOADED[archive] = load_model(target, model_config=model_config)
    return model


def worker_server(
    archive: str, env_manager: str, extra_env: Mapping[str, str]
) -> tuple[ModelSignature | None, Callable[..., Any]]:
    """The model's signature and a predict function backed by a scoring server running in
    the model's environment, started once per worker process."""
    server = _SERVERS.get(archive)
    if server is None:
        from mltrail.envs.model import prepare
        from mltrail.envs.scoring import start_server

        os.environ.update(extra_env)  # before the environment is looked up (MLTRAIL_ENV_ROOT)
        target = Path(_unpacked(archive))
        env = prepare(target, env_manager)  # found in the cache the driver filled
        server = _SERVERS[archive] = start_server(env, target, extra_env)
        atexit.register(server.stop)
    signature = Model.load(server.model_dir).signature
    return signature, server.predict


def _unpacked(archive: str) -> str:
    from pyspark import SparkFiles

    target = tempfile.mkdtemp(prefix="mltrail-udf-model-")
    atexit.register(shutil.rmtree, target, True)
    shutil.unpack_archive(SparkFiles.get(archive), target, "zip")
    return target


def input_frame(columns: Sequence[Any], signature: ModelSignature | None) -> Any:
    """The model input for one batch: columns named by the signature (or 0, 1, ...)."""
    import pandas as pd

    inputs = signature.inputs if signature is not None else None
    if len(columns) == 1 and isinstance(columns[0], pd.DataFrame):
        frame = columns[0]
    else:
        names = _names_for(len(columns), inputs)
        frame = pd.DataFrame(
            {n: c.reset_index(drop=True) for n, c in zip(names, columns, strict=True)}
        )
    if inputs is not None and inputs.is_tensor_spec():
        return _tensors(frame, inputs)
    return frame


def _names_for(count: int, inputs: Schema | None) -> list[str]:
    if inputs is None or not inputs.has_input_names():
        return [str(i) for i in range(count)]
    names = [str(n) for n in inputs.input_names()]
    required = inputs.required_input_names()
    if count > len(names) or count < len(required):
        raise InvalidParameter(
            f"The UDF got {count} columns but the model takes {len(names)} inputs "
            f"({', '.join(names)}; {len(required)} required), matched in that order."
        )
    return names[:count]


def _tensors(frame: Any, inputs: Schema) -> Any:
    """Array columns reshaped to the tensor specs (C order); scalar columns stay a frame."""
    import numpy as np

    specs = [s for s in inputs if isinstance(s, TensorSpec)]
    if not any(_holds_sequences(frame[name]) for name in frame.columns):
        return frame
    arrays = {
        str(spec.name if spec.name is not None else name): np.stack(
            [np.asarray(v) for v in frame[name]]
        )
        .reshape((-1, *spec.shape[1:]))
        .astype(spec.type)
        for spec, name in zip(specs, frame.columns, strict=False)
    }
    if len(specs) == 1 and specs[0].name is None:
        return next(iter(arrays.values()))
    return arrays


def _holds_sequences(series: Any) -> bool:
    import numpy as np

    return (
        series.dtype == object
        and len(series) > 0
        and isinstance(series.iloc[0], list | tuple | np.ndarray)
    )


def convert_output(output: Any, spark_type: st.DataType, rows: int) -> Any:
    """A model's output as the Series (or, for a struct, DataFrame) Spark expects."""
    import pandas as pd
    from pyspark.sql.types import StructType

    frame = _as_frame(output)
    if len(frame) != rows:
        raise MltrailError(
            f"The model returned {len(frame)} predictions for {rows} input rows",
            ErrorCode.INTERNAL_ERROR,
        )
    if not isinstance(spark_type, StructType):
        return _column(frame, spark_type)
    missing = [f.name for f in spark_type.fields if f.name not in frame.columns]
    if missing:
        raise InvalidParameter(
            f"The model output has no column(s) {missing} named by the struct result type; "
            f"its columns are {[str(c) for c in frame.columns]}."
        )
    return pd.DataFrame({f.name: _column(frame[[f.name]], f.dataType) for f in spark_type.fields})


def _as_frame(output: Any) -> pd.DataFrame:
    import numpy as np
    import pandas as pd

    if isinstance(output, pd.DataFrame):
        return output.reset_index(drop=True)
    if isinstance(output, pd.Series):
        return output.reset_index(drop=True).to_frame()
    if isinstance(output, Mapping):
        return pd.DataFrame(dict(output))
    if isinstance(output, list) and output and all(isinstance(r, Mapping) for r in output):
        return pd.DataFrame(output)
    array = output if isinstance(output, np.ndarray) else None
    if array is None:
        try:
            array = np.asarray(output)
        except ValueError:  # ragged rows
            return pd.DataFrame({0: list(output)})
    if array.ndim == 0:
        array = array.reshape(1)
    if array.ndim <= 2 and array.dtype != object:
        return pd.DataFrame(array.reshape(len(array), -1))
    return pd.DataFrame({0: list(array)})


def _column(frame: pd.DataFrame, spark_type: st.DataType) -> pd.Series:
    """MLflow's selection: leftmost compatible column, or (array type) all of them per row."""
    import numpy as np
    import pandas as pd
    from pyspark.sql.types import ArrayType

    is_array = isinstance(spark_type, ArrayType)
    element = spark_type.elementType if isinstance(spark_type, ArrayType) else spark_type
    name = scalar_name(element) or "string"
    if is_array and len(frame.columns) == 1 and _holds_sequences(frame.iloc[:, 0]):
        return frame.iloc[:, 0].map(lambda v: _as_list(np.asarray(v).ravel(), name))
    picked = [c for c in frame.columns if _compatible(frame[c], name)]
    if not picked:
        raise InvalidParameter(
            f"The model output has no values compatible with the result type "
            f"{spark_type.simpleString()!r}; its column types are "
            f"{[str(t) for t in frame.dtypes]}."
        )
    if not is_array:
        return _cast(frame[picked[0]], name)
    values = frame[picked].to_numpy()
    return pd.Series([_as_list(row, name) for row in values])


def _compatible(series: pd.Series, name: str) -> bool:
    from pandas.api import types

    if name == "string":
        return True
    if name == "boolean":
        return bool(types.is_bool_dtype(series.dtype))
    if types.is_bool_dtype(series.dtype) or not types.is_numeric_dtype(series.dtype):
        return False
    if name in ("int", "long"):
        if not types.is_integer_dtype(series.dtype):
            return False
        low, high = _INT32 if name == "int" else _INT64
        return series.empty or bool(low <= series.min() and series.max() <= high)
    return True


def _cast(series: pd.Series, name: str) -> pd.Series:
    if name == "string":
        return series.map(lambda v: None if v is None or v != v else str(v)).astype(object)
    dtype = {"int": "int32", "long": "int64", "float": "float32", "double": "float64"}
    return series.astype(dtype.get(name, "bool")).reset_index(drop=True)


def _as_list(values: Any, name: str) -> list[Any]:
    """One row's array value as plain Python values of the element type."""
    if name == "string":
        return [None if v is None else str(v) for v in values]
    dtype = {"int": "int32", "long": "int64", "float": "float32", "double": "float64"}
    converted: list[Any] = values.astype(dtype.get(name, "bool")).tolist()
    return converted
