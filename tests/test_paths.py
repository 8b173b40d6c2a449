"""Artifact-path normalization and confinement."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mltrail._paths import confined, normalize_artifact_path
from mltrail.errors import ErrorCode, InvalidParameter


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (None, ""),
        ("", ""),
        (".", ""),
        ("a", "a"),
        ("a/b/c.txt", "a/b/c.txt"),
        ("a//b/", "a/b"),
        ("./a/./b", "a/b"),
        ("a%20b.txt", "a%20b.txt"),
        ("100%", "100%"),
        ("..a/b..", "..a/b.."),
        ("ab:c", "ab:c"),
        ("ünïcode/файл", "ünïcode/файл"),
    ],
)
def test_normalizes_safe_paths(given: str | None, expected: str) -> None:
    assert normalize_artifact_path(given) == expected


@pytest.mark.parametrize(
    ("given", "reason"),
    [
        ("..", "'..' segment"),
        ("a/../../b", "'..' segment"),
        ("a/..", "'..' segment"),
        ("%2e%2e/x", "'..' segment"),
        ("%2E%2e%2fx", "'..' segment"),
        ("%252e%252e/x", "'..' segment"),
        ("a/%25252e%25252e", "'..' segment"),
        ("/etc/passwd", "absolute path"),
        ("//host/share", "absolute path"),
        ("%2fetc", "absolute path"),
        ("C:/x", "absolute path"),
        ("c:x", "absolute path"),
        ("C:\\x", "backslash"),
        ("a\\b", "backslash"),
        ("a%5c..%5cb", "backslash"),
        ("a\x00b", "control character"),
        ("a%00b", "control character"),
        ("a\nb", "control character"),
        ("a\x7fb", "control character"),
        ("%" + "25" * 10 + "2e", "percent-encoding"),
    ],
)
def test_refuses_unsafe_paths(given: str, reason: str) -> None:
    with pytest.raises(InvalidParameter, match=re.escape(reason)) as info:
        normalize_artifact_path(given)
    assert info.value.code == ErrorCode.INVALID_PARAMETER_VALUE
    assert repr(given) in str(info.value)


def test_confined_maps_under_the_resolved_root(tmp_path: Path) -> None:
    root = tmp_path / "root"
    assert confined(root, "a//b") == (root / "a" / "b").resolve()
    assert confined(root, "") == root.resolve()
    assert confined(root, None) == root.resolve()


def test_confined_refuses_traversal_before_touching_disk(tmp_path: Path) -> None:
    with pytest.raises(InvalidParameter, match=re.escape("'..' segment")):
        confined(tmp_path, "../x")


def test_confined_refuses_symlink_escape(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    (tmp_path / "outside").mkdir()
    (root / "out").symlink_to(tmp_path / "outside")
    (root / "file_link").symlink_to(tmp_path / "outside" / "f.txt")
    for rel in ("out", "out/f.txt", "file_link"):
        with pytest.raises(InvalidParameter, match="resolves outside the artifact root"):
            confined(root, rel)


def test_confined_allows_symlinks_that_stay_inside(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "real").mkdir(parents=True)
    (root / "alias").symlink_to(root / "real")
    assert confined(root, "alias/f.txt") == (root / "real" / "f.txt").resolve()


def test_root_behind_a_symlink_is_fine(tmp_path: Path) -> None:
    (tmp_path / "actual").mkdir()
    (tmp_path / "root_link").symlink_to(tmp_path / "actual")
    assert confined(tmp_path / "root_link", "x") == (tmp_path / "actual" / "x").resolve()
