"""`mltrail.Image` (MLflow's `mlflow.Image`): an image to log with `log_image` or `log_table`.

Wraps a PIL image made from a numpy array or nested list (the pixel rules of `log_image`), a
PIL image, or the path of an image file. Pillow and numpy load only when an Image is made.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mltrail.tracking import _artifact_writers as writers

if TYPE_CHECKING:
    import numpy as np
    from PIL import Image as PILImage


class Image:
    """An image held as a PIL image; `size` is its (width, height)."""

    def __init__(self, image: np.ndarray[Any, Any] | PILImage.Image | str | list[Any]) -> None:
        from PIL import Image as PILImageModule

        if isinstance(image, str):
            self.image: PILImage.Image = PILImageModule.open(image)
        elif isinstance(image, PILImageModule.Image):
            self.image = image
        elif isinstance(image, list) or _is_array(image):
            self.image = writers.pil_image(image)
        else:
            raise TypeError(
                f"Unsupported image object type: {type(image)}. `image` must be one of "
                "numpy.ndarray, PIL.Image.Image, or a filepath to an image."
            )
        self.size: tuple[int, int] = self.image.size

    def __repr__(self) -> str:
        return f"Image(mode={self.image.mode!r}, size={self.size})"

    def to_pil(self) -> PILImage.Image:
        return self.image

    def to_array(self) -> np.ndarray[Any, Any]:
        import numpy as np

        return np.array(self.image)

    def to_list(self) -> list[Any]:
        """The pixel values, row by row (a tuple per pixel for multi-band images)."""
        # Pillow 12 renamed `getdata` (deprecated there) to `get_flattened_data`.
        flattened = getattr(self.image, "get_flattened_data", None)
        return list(flattened() if flattened is not None else self.image.getdata())

    def save(self, path: str) -> None:
        """Write the image to `path`, in the format its extension names."""
        self.image.save(path)

    def resize(self, size: tuple[int, int]) -> Image:
        """A resized copy, `size` being (width, height)."""
        return Image(self.image.resize(size))


def _is_array(value: Any) -> bool:
    module = type(value).__module__
    return module == "numpy" or module.startswith("numpy.")
