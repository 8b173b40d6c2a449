"""A `pickle_module` for `torch.save` / `torch.load` that pickles with cloudpickle.

`torch.save` builds `pickle_module.Pickler`; cloudpickle's pickler stores classes defined in
`__main__` or notebooks by value, so such models load elsewhere. Loading needs nothing
special: cloudpickle output is ordinary pickle, read by the standard `Unpickler`.
"""

from __future__ import annotations

from pickle import HIGHEST_PROTOCOL, Unpickler, UnpicklingError, load, loads

from cloudpickle import DEFAULT_PROTOCOL, dump, dumps
from cloudpickle import Pickler as Pickler

__all__ = [
    "DEFAULT_PROTOCOL",
    "HIGHEST_PROTOCOL",
    "Pickler",
    "Unpickler",
    "UnpicklingError",
    "dump",
    "dumps",
    "load",
    "loads",
]
