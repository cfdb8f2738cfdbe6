"""The cold-start benchmark names a sample request for every Lambda function (a new function without one would make
the benchmark stop with a KeyError instead of measuring it)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_function_has_a_cold_start_sample() -> None:
    spec = importlib.util.spec_from_file_location("cold_start", ROOT / "benchmarks" / "cold_start.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    functions = {p.parent.name for p in (ROOT / "functions").glob("*/handler.py")}
    assert functions - set(module.SAMPLES) == set()
