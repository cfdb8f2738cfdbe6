"""What one turn carries, as the route hands it to the turn service (kept light: routes import it at cold start)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# Hears of a turn's stages, the evidence analysed and the knowledge found: (event, data).
Progress = Callable[[str, dict[str, Any]], None]


def quiet(event: str, data: dict[str, Any]) -> None:
    """The listener of a turn nobody watches."""


@dataclass
class TurnFile:
    filename: str
    data: bytes
    content_type: str | None


@dataclass
class TurnInput:
    query: str | None = None
    pasted_content: str | None = None
    file: TurnFile | None = None
    intent_type: str | None = None
    intent_data: str | None = None
    input_type: str | None = None
    source_url: str | None = None

    def fingerprint(self) -> dict[str, Any]:
        """What makes two submissions the same request (for Idempotency-Key replays)."""
        return {"query": self.query, "pasted": self.pasted_content, "intent": [self.intent_type, self.intent_data],
                "file": hashlib.sha256(self.file.data).hexdigest() if self.file else None}
