"""Output keys (``site.digest``): a function of the values alone, the same in every process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from crossings.site import digest

VALUES = ("France", "{'next': 'page/2/'}", None, 3, 1.5, True, ["a" * 24, "b" * 24], {"k": ("v", 2)})


def test_equal_values_give_equal_keys_whatever_objects_hold_them() -> None:
    shared = "x" * 30
    copied = "".join(["x" * 15, "x" * 15])  # equal, another object (not interned)
    assert copied is not shared
    assert digest([shared, shared]) == digest([shared, copied])
    assert digest(*VALUES) == digest(*[list(v) if isinstance(v, list) else v for v in VALUES])


def test_keys_tell_values_and_types_apart() -> None:
    keys = {digest(1), digest(True), digest(1.0), digest("1"), digest([1]), digest((1,)), digest(None), digest("a", "b"), digest("ab")}
    assert len(keys) == 9


def test_values_marshal_does_not_take_are_hashed_and_differ_from_marshalled_ones() -> None:
    path = Path("content/2023")
    assert digest(path) == digest(Path("content") / "2023")
    assert digest(path) != digest(Path("content/2024"))
    assert digest(str(path)) != digest(path)


def test_the_same_keys_in_another_process_with_another_hash_seed() -> None:
    code = "from pathlib import Path; from crossings.site import digest; print(digest(*%r), digest(Path('a')))" % (VALUES,)
    here = f"{digest(*VALUES)} {digest(Path('a'))}"
    for seed in ("1", "2"):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                             env={**os.environ, "PYTHONHASHSEED": seed}).stdout.split()
        assert " ".join(out) == here
