"""Webhook HMAC secrets encrypted at rest (Fernet: AES-128-CBC + HMAC-SHA256).

Where the key comes from, in order:

1. ``MLTRAIL_WEBHOOK_SECRET_ENCRYPTION_KEY`` (or MLflow's ``MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY``):
   one Fernet key, or several separated by commas to rotate keys (the first encrypts, all
   decrypt). Every process writing to one database must share it.
2. For a SQLite file, a key file beside the database (``<database>.webhook-key``, mode 0600),
   made on first need. One machine owns such a database, so the key can live with it.
3. Otherwise (PostgreSQL, MySQL: workers on several hosts) there is no safe default, so a
   secret cannot be stored until the key is set; webhooks without a secret still work.

Stored values carry the `PREFIX`; values without it are plain text written before secrets were
encrypted (revision 0004) and are read as they are until `seal_plain_secrets` encrypts them.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from mltrail.errors import ErrorCode, InvalidParameter, MltrailError

if TYPE_CHECKING:
    from cryptography.fernet import Fernet, MultiFernet

PREFIX = "fernet:"
KEY_VARIABLE = "MLTRAIL_WEBHOOK_SECRET_ENCRYPTION_KEY"
KEY_FILE_SUFFIX = ".webhook-key"
_NEW_KEY_HINT = (
    'python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
)


class SecretUnreadable(MltrailError):
    """A stored secret that the configured key cannot decrypt (the key changed or is missing)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, ErrorCode.INVALID_STATE)


def is_sealed(stored: str) -> bool:
    return stored.startswith(PREFIX)


def key_file_for(database: Path) -> Path:
    return database.with_name(database.name + KEY_FILE_SUFFIX)


def _fernet() -> type[Fernet]:
    try:
        from cryptography.fernet import Fernet
    except ImportError:  # pragma: no cover - a dependency of mltrail[server]
        raise MltrailError(
            "Webhook secrets are encrypted with the 'cryptography' package; install it "
            "(pip install 'mltrail[server]').",
            ErrorCode.FEATURE_DISABLED,
        ) from None
    return Fernet


def _read_or_make_key_file(path: Path) -> bytes:
    """The key in `path`, made first if missing; safe when several processes race to make it."""
    try:
        return _key_file(path)
    except OSError as error:
        raise MltrailError(
            f"Cannot read or create the webhook secret key file {path} ({error.strerror}); "
            f"make it readable and writable by the server, or set {KEY_VARIABLE}.",
            ErrorCode.INVALID_STATE,
        ) from None


def _key_file(path: Path) -> bytes:
    if not path.exists():
        key: bytes = _fernet().generate_key()
        draft = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, key + b"\n")
        finally:
            os.close(fd)
        try:
            os.link(draft, path)  # fails if another process made it first: theirs wins
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_bytes().strip()


class SecretBox:
    """Seals and opens webhook secrets with the keys found for one database.

    `keys` are the configured keys (may be empty); `key_file` is where a SQLite database keeps
    its own key when none is configured (None: no such fallback). Keys are loaded on first use,
    so a store that never touches a secret never makes a key file.
    """

    def __init__(self, keys: Sequence[str] = (), key_file: Path | None = None) -> None:
        self._keys = [k.strip() for k in keys if k.strip()]
        self._key_file = key_file
        self._cipher: MultiFernet | None = None

    @classmethod
    def from_setting(cls, setting: str | None, database: Path | None) -> SecretBox:
        keys = (setting or "").split(",")
        return cls(keys, key_file_for(database) if database is not None else None)

    @property
    def available(self) -> bool:
        """Whether secrets can be sealed without raising (a key is set or can be made)."""
        return bool(self._keys) or self._key_file is not None

    def _cipher_or_fail(self) -> MultiFernet:
        if self._cipher is None:
            fernet = _fernet()
            from cryptography.fernet import MultiFernet

            raw: list[str | bytes] = [*self._keys] or (
                [_read_or_make_key_file(self._key_file)] if self._key_file else []
            )
            if not raw:
                raise InvalidParameter(
                    "Webhook secrets are stored encrypted, and this database has no key: set "
                    f"{KEY_VARIABLE} (or MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY) to a Fernet key "
                    f"on every server process (make one with {_NEW_KEY_HINT}), or create the "
                    "webhook without a secret."
                )
            try:
                self._cipher = MultiFernet([fernet(k) for k in raw])
            except (ValueError, TypeError):
                raise InvalidParameter(
                    f"{KEY_VARIABLE} must be one or more comma-separated Fernet keys (32 bytes, "
                    f"url-safe base64); make one with {_NEW_KEY_HINT}."
                ) from None
        return self._cipher

    def seal(self, secret: str) -> str:
        token: bytes = self._cipher_or_fail().encrypt(secret.encode())
        return PREFIX + token.decode()

    def open(self, stored: str) -> str:
        """The secret in a stored value (plain-text legacy values are returned as they are)."""
        if not is_sealed(stored):
            return stored
        _fernet()  # a clear error when cryptography is missing
        from cryptography.fernet import InvalidToken

        try:
            plain: bytes = self._cipher_or_fail().decrypt(stored[len(PREFIX) :].encode())
        except (InvalidToken, InvalidParameter):
            raise SecretUnreadable(
                f"A webhook secret cannot be decrypted ({KEY_VARIABLE} changed, is malformed "
                "or is missing?). Set the key it was stored with, or give the webhook a new "
                "secret."
            ) from None
        return plain.decode()
