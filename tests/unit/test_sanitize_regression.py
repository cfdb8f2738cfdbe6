"""The self-generated corpus as a regression check: every planted value still found, every near-miss untouched.

Not a quality figure (the corpus shares the rules' key words); the figures are in benchmarks/results/redaction.md.
"""

from __future__ import annotations

import pytest

from faultmaven.sanitize import Sanitizer
from tests.support.generated_corpus import generate_corpus


@pytest.mark.parametrize("seed", [5, 11])
def test_generated_corpus_still_passes(seed: int) -> None:
    sanitizer = Sanitizer()
    missed, changed = [], []
    for record in generate_corpus(seed, 1500):
        out = sanitizer.sanitize(record.text).text
        missed += [(label, record.text) for label, value in record.planted if value in out]
        if record.kind in ("near_miss", "clean") and out != record.text:
            changed.append(record.text)
    assert missed == [] and changed == []
