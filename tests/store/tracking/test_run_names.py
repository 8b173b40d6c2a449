"""Random run names look like MLflow's: adjective-noun-number."""

from __future__ import annotations

import random
import re

from mltrail.store.tracking.run_names import generate_run_name


def test_names_are_readable_and_varied() -> None:
    names = {generate_run_name(random.Random(seed)) for seed in range(200)}
    assert all(re.fullmatch(r"[a-z]+-[a-z]+-\d{1,3}", name) for name in names)
    assert len(names) > 190


def test_seeded_generator_is_reproducible() -> None:
    assert generate_run_name(random.Random(7)) == generate_run_name(random.Random(7))
