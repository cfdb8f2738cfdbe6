"""One ONNX embedder per test module, put into each test's container (loading the model takes seconds).

Import both fixtures into a test module: `from tests.support.shared_embedder import _shared_embedder, embedder`.
"""

from __future__ import annotations

import pytest

from faultmaven.container import Container
from faultmaven.knowledge.onnx_embedder import OnnxMiniLmEmbedder


@pytest.fixture(scope="module")
def embedder() -> OnnxMiniLmEmbedder:
    model = OnnxMiniLmEmbedder()
    model.load()
    return model


@pytest.fixture(autouse=True)
def _shared_embedder(container: Container, embedder: OnnxMiniLmEmbedder) -> None:
    container.__dict__["embedder"] = embedder
