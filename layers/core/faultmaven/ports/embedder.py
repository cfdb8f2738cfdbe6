"""Embedder port: turns texts into unit-length vectors of one model."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from pydantic import BaseModel, Field

if TYPE_CHECKING:
    import numpy as np


class EmbeddingSpace(BaseModel, frozen=True):
    """Which model made a vector, and its length. Vectors of different spaces are not comparable."""

    model_id: str = Field(min_length=1)
    dim: int = Field(gt=0)


class Embedder(Protocol):
    @property
    def space(self) -> EmbeddingSpace: ...

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts in order: a float32 array of shape (len(texts), space.dim), each row L2-normalised."""
