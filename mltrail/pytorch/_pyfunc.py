"""The pyfunc view of a PyTorch model: arrays in, the module run without gradients, arrays out.

A DataFrame is fed as one float32 tensor of its values and gives a DataFrame back; an array
or tensor keeps its dtype; a dict of arrays becomes keyword arguments. `model_config`'s
``device`` (default: cpu) is where the model runs.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from typing import Any

from mltrail.models.tensor_io import input_arrays, output_like

_DEVICE_KEY = "device"


class TorchPyfunc:
    def __init__(self, model: Any, device: str | None = None) -> None:
        import torch

        self.device = torch.device(device or "cpu")
        model = model.to(self.device)
        # An exported program's module has no train/eval switch (it was traced in eval mode).
        with contextlib.suppress(NotImplementedError):
            model.eval()
        self.pytorch_model = model

    def predict(self, data: Any, params: dict[str, Any] | None = None) -> Any:
        import torch

        if isinstance(data, torch.Tensor):
            inputs: Any = data
        else:
            inputs = input_arrays(data, frame_dtype="float32")
        with torch.no_grad():
            if isinstance(inputs, Mapping):
                result = self.pytorch_model(
                    **{name: self._tensor(value) for name, value in inputs.items()}
                )
            else:
                result = self.pytorch_model(self._tensor(inputs))
        return output_like(result, data, _to_numpy)

    def _tensor(self, value: Any) -> Any:
        import numpy as np
        import torch

        if isinstance(value, np.ndarray) and not value.flags.writeable:
            value = value.copy()  # pandas' copy-on-write arrays are read-only; torch wants to own
        return torch.as_tensor(value, device=self.device)

    def get_raw_model(self) -> Any:
        return self.pytorch_model


def _to_numpy(value: Any) -> Any:
    import torch

    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    return value


def load_pyfunc(
    path: str, model_config: Mapping[str, Any] | None, weights_only: bool
) -> TorchPyfunc:
    from mltrail.pytorch._files import load_data_dir

    data_dir = path
    if os.path.isdir(path) and os.path.isfile(os.path.join(path, "MLmodel")):
        data_dir = os.path.join(path, "data")  # given the model directory itself
    model = load_data_dir(data_dir, {"weights_only": weights_only} if weights_only else {})
    device = (model_config or {}).get(_DEVICE_KEY)
    return TorchPyfunc(model, str(device) if device else None)
