"""The files in a pytorch model's `data/` directory, with MLflow's names.

``pt2``: `model.pt2` from `torch.export.save`, the batch dimension left dynamic. ``pickle``:
`model.pth` from `torch.save` plus `pickle_module_info.txt` naming the pickle module. The
default module is written under MLflow's name, so MLflow reads our files; reading maps MLflow
module names to mltrail's.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from types import ModuleType
from typing import Any

from mltrail.errors import InvalidParameter, NotFound

SERIALIZATION_FORMAT_PICKLE = "pickle"
SERIALIZATION_FORMAT_PT2 = "pt2"
PICKLED_FILE = "model.pth"
EXPORTED_FILE = "model.pt2"
STATE_DICT_FILE = "state_dict.pth"
PICKLE_MODULE_INFO_FILE = "pickle_module_info.txt"
DEFAULT_PICKLE_MODULE = "mlflow.pytorch.pickle_module"


def is_tensor_example(example: Any) -> bool:
    import numpy as np
    import torch

    if isinstance(example, list | tuple):
        return bool(example) and all(is_tensor_example(item) for item in example)
    return isinstance(example, np.ndarray | torch.Tensor)


def export_pt2(model: Any, example: Any, data_dir: str) -> None:
    """Trace `model` on the example and save the program (dim 0 dynamic where possible)."""
    import torch

    parts = example if isinstance(example, list | tuple) else (example,)
    args = tuple(torch.as_tensor(part) for part in parts)
    batch = {0: torch.export.Dim.AUTO}
    dynamic = tuple(batch if arg.ndim else None for arg in args)
    was_training = model.training
    model.eval()
    try:
        program = torch.export.export(model, args, dynamic_shapes=dynamic)
    finally:
        model.train(was_training)
    torch.export.save(program, os.path.join(data_dir, EXPORTED_FILE))


def pickle_module_name(pickle_module: Any) -> str:
    if pickle_module is None:
        return DEFAULT_PICKLE_MODULE
    return str(pickle_module.__name__)


def save_pickled(
    model: Any, data_dir: str, pickle_module: Any, save_kwargs: Mapping[str, Any]
) -> None:
    import torch

    module = pickle_module if pickle_module is not None else _default_pickle_module()
    torch.save(
        model, os.path.join(data_dir, PICKLED_FILE), pickle_module=module, **dict(save_kwargs)
    )
    with open(os.path.join(data_dir, PICKLE_MODULE_INFO_FILE), "w") as out:
        out.write(pickle_module_name(pickle_module))


def _default_pickle_module() -> ModuleType:
    from mltrail.pytorch import pickle_module

    return pickle_module


def load_data_dir(data_dir: str, load_kwargs: Mapping[str, Any]) -> Any:
    """The model in a `data/` directory (or a bare model file)."""
    import torch

    if os.path.isfile(data_dir):  # MLflow 1.x pointed model_data at the file itself
        return _load_pickled(data_dir, os.path.dirname(data_dir), load_kwargs)
    exported = os.path.join(data_dir, EXPORTED_FILE)
    if os.path.isfile(exported):
        return torch.export.load(exported).module()
    pickled = os.path.join(data_dir, PICKLED_FILE)
    if os.path.isfile(pickled):
        return _load_pickled(pickled, data_dir, load_kwargs)
    raise NotFound(f"No {EXPORTED_FILE} or {PICKLED_FILE} in the model directory {data_dir}")


def _load_pickled(source: str, data_dir: str, load_kwargs: Mapping[str, Any]) -> Any:
    import torch

    kwargs = dict(load_kwargs)
    kwargs.setdefault("pickle_module", _pickle_module(data_dir))
    # A whole module is a pickle of arbitrary classes: weights-only loading cannot read it.
    kwargs.setdefault("weights_only", False)
    return torch.load(source, **kwargs)


def _pickle_module(data_dir: str) -> ModuleType:
    from mltrail.models.flavor import loader_module

    info = os.path.join(data_dir, PICKLE_MODULE_INFO_FILE)
    if not os.path.isfile(info):
        return _default_pickle_module()
    with open(info) as source:
        name = source.read().strip()
    if not name:
        raise InvalidParameter(f"{info} names no pickle module")
    return loader_module(name)
