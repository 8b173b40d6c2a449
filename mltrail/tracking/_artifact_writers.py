"""Serialize in-memory objects to artifact bytes: text, dicts, figures, images and tables.

Formats follow MLflow's (JSON with indent 2 or YAML by extension; tables as pandas' ``split``
JSON; step images as PNG plus a small WebP thumbnail). Heavy libraries load only when used.
"""

from __future__ import annotations

import io
import json
import posixpath
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from mltrail.errors import InvalidParameter

if TYPE_CHECKING:
    import pandas as pd
    from PIL import Image as PILImage

THUMBNAIL_SIZE = 256
TABLE_EXTENSIONS = (".json", ".parquet")


def extension(artifact_file: str) -> str:
    """The lower-case extension without the dot ('' when there is none)."""
    return posixpath.splitext(artifact_file)[1].lstrip(".").lower()


def text_bytes(text: str) -> bytes:
    return text.encode("utf-8")


def dict_bytes(dictionary: Mapping[str, Any], artifact_file: str) -> bytes:
    if extension(artifact_file) in ("yaml", "yml"):
        import yaml

        return yaml.safe_dump(dict(dictionary), default_flow_style=False).encode("utf-8")
    return json.dumps(dictionary, indent=2).encode("utf-8")


def figure_bytes(
    figure: Any, artifact_file: str, save_kwargs: Mapping[str, Any] | None = None
) -> bytes:
    """A matplotlib or plotly figure rendered in the format named by the file extension."""
    kwargs = dict(save_kwargs or {})
    fmt = extension(artifact_file)
    module = type(figure).__module__
    if module.startswith("matplotlib"):
        buffer = io.BytesIO()
        kwargs.setdefault("format", fmt or "png")
        figure.savefig(buffer, **kwargs)
        return buffer.getvalue()
    if module.startswith("plotly"):
        if fmt == "html":
            return str(figure.to_html(**kwargs)).encode("utf-8")
        return bytes(figure.to_image(format=fmt or "png", **kwargs))
    raise InvalidParameter(
        f"Unsupported figure object type: {type(figure)!r}; log a matplotlib or plotly figure."
    )


def pil_image(image: Any) -> PILImage.Image:
    """A PIL image from a PIL image, an object with `to_pil()`, or a numpy array.

    Arrays are HxW, HxWx1, HxWx3 or HxWx4; integers must lie in [0, 255], floats in [0, 1].
    """
    from PIL import Image

    if isinstance(image, Image.Image):
        return image
    if hasattr(image, "to_pil"):
        converted: PILImage.Image = image.to_pil()
        return converted
    return Image.fromarray(_uint8_pixels(image))


def _uint8_pixels(image: Any) -> Any:
    import numpy as np

    pixels = np.asarray(image)
    if pixels.ndim == 3 and pixels.shape[2] == 1:
        pixels = pixels[:, :, 0]
    if not (pixels.ndim == 2 or (pixels.ndim == 3 and pixels.shape[2] in (3, 4))):
        raise InvalidParameter(
            f"Invalid image shape {pixels.shape}: expected HxW, HxWx1, HxWx3 (RGB) or HxWx4 (RGBA)"
        )
    kind = pixels.dtype.kind
    if kind == "b":
        return pixels.astype(np.uint8) * 255
    if kind in "iu":
        if pixels.size and (pixels.min() < 0 or pixels.max() > 255):
            raise InvalidParameter("Integer pixel values must lie in [0, 255]")
        return pixels.astype(np.uint8)
    if kind == "f":
        if pixels.size and (np.nanmin(pixels) < 0 or np.nanmax(pixels) > 1):
            raise InvalidParameter("Float pixel values must lie in [0, 1]")
        return (pixels * 255).astype(np.uint8)
    raise InvalidParameter(f"Unsupported image dtype {pixels.dtype}: use integers or floats")


def image_bytes(image: PILImage.Image, fmt: str) -> bytes:
    from PIL import Image

    registered = Image.registered_extensions()
    pil_format = registered.get(f".{fmt or 'png'}")
    if pil_format is None:
        raise InvalidParameter(f"Unsupported image file extension {fmt!r}")
    buffer = io.BytesIO()
    image.save(buffer, format=pil_format)
    return buffer.getvalue()


def thumbnail_bytes(image: PILImage.Image) -> bytes:
    """The compressed preview the UI shows for step images: WebP scaled, up or down as MLflow
    does, so that its longest side is 256 px."""
    width, height = image.size
    if width > height:
        size = (THUMBNAIL_SIZE, int(height * (THUMBNAIL_SIZE / width)))
    else:
        size = (int(width * (THUMBNAIL_SIZE / height)), THUMBNAIL_SIZE)
    preview = image.resize((max(size[0], 1), max(size[1], 1)))  # a 1000x1 strip stays 1 px high
    buffer = io.BytesIO()
    preview.save(buffer, format="WEBP")
    return buffer.getvalue()


def step_image_stem(key: str, step: int, timestamp: int, unique: str) -> str:
    """`images/<key>+step+<n>+timestamp+<ms>+<uuid>`; '/' in the key becomes '~'."""
    return f"images/{key.replace('/', '~')}+step+{step}+timestamp+{timestamp}+{unique}"


def check_table_file(artifact_file: str) -> None:
    if not artifact_file.lower().endswith(TABLE_EXTENSIONS):
        raise InvalidParameter(
            f"Invalid artifact file path '{artifact_file}'. Please ensure the file you are trying "
            "to log as a table has a file name with either '.json' or '.parquet' extension."
        )


def table_frame(data: Any) -> pd.DataFrame:
    import pandas as pd

    if isinstance(data, pd.DataFrame):
        return data
    if isinstance(data, Mapping):
        return pd.DataFrame(dict(data))
    raise InvalidParameter(f"Table data must be a dict or a pandas DataFrame, got {type(data)!r}")


def table_bytes(frame: pd.DataFrame, artifact_file: str) -> bytes:
    if extension(artifact_file) == "parquet":
        buffer = io.BytesIO()
        frame.to_parquet(buffer, index=False)
        return buffer.getvalue()
    return str(frame.to_json(orient="split", index=False)).encode("utf-8")


def read_table(data: bytes, artifact_file: str) -> pd.DataFrame:
    import pandas as pd

    if extension(artifact_file) == "parquet":
        return pd.read_parquet(io.BytesIO(data))
    table = json.loads(data)
    return pd.DataFrame(table["data"], columns=table["columns"])


def append_logged_table(tag_value: str | None, artifact_file: str) -> str | None:
    """The `mlflow.loggedArtifacts` tag with the table added; None when already listed."""
    entries: list[dict[str, str]] = json.loads(tag_value) if tag_value else []
    if any(e.get("path") == artifact_file for e in entries):
        return None
    entries.append({"path": artifact_file, "type": "table"})
    return json.dumps(entries)
