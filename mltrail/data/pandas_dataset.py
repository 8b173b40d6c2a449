"""A dataset backed by a pandas DataFrame (what `mltrail.data.from_pandas` returns).

Imported only on first use, so pandas loads at module level here.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

import pandas as pd

from mltrail.data.dataset import Dataset
from mltrail.data.digest import DIGEST_SAMPLE_ROWS, short_digest
from mltrail.data.pandas_schema import infer_tabular_schema
from mltrail.data.schema import TabularSchema
from mltrail.data.sources import DatasetSource
from mltrail.errors import ErrorCode, MltrailError


class PandasDataset(Dataset):
    def __init__(
        self,
        df: pd.DataFrame,
        source: DatasetSource,
        targets: str | None = None,
        name: str | None = None,
        digest: str | None = None,
        predictions: str | None = None,
    ) -> None:
        if not isinstance(df, pd.DataFrame):
            raise MltrailError(
                f"from_pandas needs a pandas.DataFrame, got {type(df).__name__}.",
                ErrorCode.INVALID_PARAMETER_VALUE,
            )
        for role, column in (("targets", targets), ("predictions", predictions)):
            if column is not None and column not in df.columns:
                raise MltrailError(
                    f"The specified pandas DataFrame does not contain the specified {role} "
                    f"column {column!r}.",
                    ErrorCode.INVALID_PARAMETER_VALUE,
                )
        self._df = df
        self._targets = targets
        self._predictions = predictions
        super().__init__(source, name=name, digest=digest)

    def _compute_digest(self) -> str:
        return pandas_digest(self._df)

    @property
    def df(self) -> pd.DataFrame:
        return self._df

    @property
    def targets(self) -> str | None:
        return self._targets

    @property
    def predictions(self) -> str | None:
        return self._predictions

    @property
    def features(self) -> pd.DataFrame:
        """The frame without its targets and predictions columns."""
        dropped = [c for c in (self._targets, self._predictions) if c is not None]
        return self._df.drop(columns=dropped)

    @property
    def profile(self) -> dict[str, Any]:
        return {"num_rows": len(self._df), "num_elements": int(self._df.size)}

    @cached_property
    def schema(self) -> TabularSchema | None:
        return infer_tabular_schema(self._df)


def pandas_digest(df: pd.DataFrame) -> str:
    """Digest of the leading rows' values and index, the row count, and the column layout."""
    sample = df.head(DIGEST_SAMPLE_ROWS)
    return short_digest(
        [
            _row_hashes(sample).tobytes(),
            str(len(df)).encode(),
            repr([str(name) for name in df.columns]).encode(),
            repr([str(dtype) for dtype in df.dtypes]).encode(),
        ]
    )


def _row_hashes(sample: pd.DataFrame) -> Any:
    try:
        return pd.util.hash_pandas_object(sample, index=True).to_numpy()
    except TypeError:
        # Unhashable cells (lists, dicts, arrays) hash through their text form.
        return pd.util.hash_pandas_object(sample.astype(str), index=True).to_numpy()
