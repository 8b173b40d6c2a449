"""Checks on registry input (names, versions, aliases, tags, sources) with MLflow's messages.

Every check runs before a store writes anything, so a rejected call changes nothing.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable
from urllib.parse import unquote, urlsplit

from mltrail.errors import InvalidParameter
from mltrail.store.tracking.validation import check_key, check_value, missing, too_long

MAX_REGISTERED_MODEL_NAME_LENGTH = 256
MAX_ALIAS_LENGTH = 255
MAX_REGISTRY_TAG_VALUE_LENGTH = 100_000
MAX_DESCRIPTION_LENGTH = 100_000
SEARCH_REGISTERED_MODEL_MAX_RESULTS_DEFAULT = 100
SEARCH_REGISTERED_MODEL_MAX_RESULTS_THRESHOLD = 1000
SEARCH_MODEL_VERSION_MAX_RESULTS_DEFAULT = 10_000
SEARCH_MODEL_VERSION_MAX_RESULTS_THRESHOLD = 200_000
PROMPT_TAG = "mlflow.prompt.is_prompt"

_ALIAS = re.compile(r"^[\w\-]*$")
_RESERVED_VERSION_ALIAS = re.compile(r"^v\d+$", re.IGNORECASE)
_VERSION = re.compile(r"^\s*[+]?\d{1,9}\s*$")
LOCAL_SCHEMES = frozenset({"", "file"})


def check_model_name(name: object, path: str = "name") -> str:
    if not isinstance(name, str) or not name.strip():
        raise missing(path)
    if len(name) > MAX_REGISTERED_MODEL_NAME_LENGTH:
        raise too_long("Registered model name", MAX_REGISTERED_MODEL_NAME_LENGTH)
    return name


def parse_version(version: object) -> int:
    """A version number as written by clients ("3", 3); anything else is refused."""
    text = str(version)
    if isinstance(version, bool) or not _VERSION.match(text) or int(text) < 1:
        raise InvalidParameter(f"Parameter 'version' must be an integer, got '{version}'.")
    return int(text)


def check_alias(alias: object) -> str:
    if not isinstance(alias, str) or not alias:
        raise missing("alias")
    if len(alias) > MAX_ALIAS_LENGTH:
        raise too_long("Registered model alias name", MAX_ALIAS_LENGTH)
    if not _ALIAS.match(alias):
        raise InvalidParameter(
            f"Invalid alias name: '{alias}'. Names may only contain alphanumerics, "
            "underscores (_), and dashes (-)."
        )
    if alias.lower() == "latest":
        raise InvalidParameter("'latest' alias name (case insensitive) is reserved.")
    if _RESERVED_VERSION_ALIAS.match(alias):
        raise InvalidParameter(f"Version alias name '{alias}' is reserved.")
    return alias


def check_tag(key: object, value: object) -> tuple[str, str]:
    checked = check_key(key, "key", "key")
    text = check_value(value, "value", "value", MAX_REGISTRY_TAG_VALUE_LENGTH, truncate=False)
    return checked, text


def check_description(description: str | None) -> str | None:
    if description is not None and len(description) > MAX_DESCRIPTION_LENGTH:
        raise too_long("description", MAX_DESCRIPTION_LENGTH)
    return description


# --- sources ---------------------------------------------------------------------------------


def has_traversal(uri: str) -> bool:
    """Does any decoding of `uri` contain a `..` segment (also `%2e%2e`, `..\\`, `%252e`...)?"""
    seen = uri
    for _ in range(3):  # double and triple encodings
        parts = re.split(r"[/\\]", seen)
        if any(part.strip() == ".." for part in parts):
            return True
        decoded = unquote(seen)
        if decoded == seen:
            return False
        seen = decoded
    return True  # still changing after three decodings: refuse rather than guess


def scheme_of(uri: str) -> str:
    return urlsplit(uri).scheme.lower() if re.match(r"^[A-Za-z][\w+.-]*:", uri) else ""


def local_path(uri: str) -> str:
    return unquote(urlsplit(uri).path) if scheme_of(uri) == "file" else uri


def is_inside(location: str, root: str) -> bool:
    """Is `location` `root` or below it? Local paths are resolved (symlinks, `..`)."""
    loc_scheme, root_scheme = scheme_of(location), scheme_of(root)
    if loc_scheme in LOCAL_SCHEMES and root_scheme in LOCAL_SCHEMES:
        loc = posixpath.realpath(local_path(location))
        base = posixpath.realpath(local_path(root))
        return loc == base or loc.startswith(base.rstrip("/") + "/")
    loc_parts, root_parts = urlsplit(location), urlsplit(root)
    if (loc_scheme, loc_parts.netloc) != (root_scheme, root_parts.netloc):
        return False
    loc_path = posixpath.normpath("/" + loc_parts.path)
    root_path = posixpath.normpath("/" + root_parts.path)
    return loc_path == root_path or loc_path.startswith(root_path.rstrip("/") + "/")


def check_source(source: object, allowed_locations: Iterable[str]) -> str:
    """Accept a version's source: a models:/ URI, a remote URI, or a location inside one of
    `allowed_locations` (the run's or logged model's artifacts, the store's roots).

    Local paths anywhere else are refused, and so is any `..` in any scheme: a registered
    source is later downloaded by the server, which must never read outside its own data.
    """
    if not isinstance(source, str) or not source.strip():
        raise missing("source")
    if has_traversal(source):
        raise InvalidParameter(
            f"Invalid model version source: '{source}'. A source must not contain '..' path "
            "segments (in any encoding)."
        )
    scheme = scheme_of(source)
    if scheme == "models" or scheme not in LOCAL_SCHEMES:
        return source
    if any(is_inside(source, location) for location in allowed_locations if location):
        return source
    raise InvalidParameter(
        f"Invalid model version source: '{source}'. A local source must be inside the "
        "artifact location of the version's run or logged model, or inside the store's "
        "artifact root; use a models:/ URI or a remote artifact URI otherwise."
    )
