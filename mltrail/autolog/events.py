"""How autologging reports its own problems: a warning, never an exception into training."""

from __future__ import annotations

import logging

from mltrail.autolog import config as _config

_log = logging.getLogger("mltrail.autolog")


class AutologgingWarning(UserWarning):
    """Autologging could not record something; the user's code went on unaffected."""


def warn(flavor: str, message: str) -> None:
    """Warn unless the library's autologging is silent."""
    import warnings

    current = _config.get(flavor)
    if current is not None and current.silent:
        _log.debug("%s autologging: %s", flavor, message)
        return
    try:
        warnings.warn(f"{flavor} autologging: {message}", AutologgingWarning, stacklevel=3)
    except Exception:
        _log.warning("%s autologging: %s", flavor, message)


def failed(flavor: str, what: str, error: BaseException) -> None:
    warn(flavor, f"failed to {what}: {type(error).__name__}: {error}")
