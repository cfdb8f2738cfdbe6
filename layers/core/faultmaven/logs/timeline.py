"""A bounded-memory histogram of line times, coarsened into a few buckets with bursts flagged."""

from __future__ import annotations

import statistics
from datetime import UTC, datetime

from faultmaven.logs.models import Timeline, TimelineBucket

_MAX_CELLS = 4096  # fine-grained cells kept while streaming; the resolution doubles when exceeded
_TARGET_BUCKETS = 24
_NICE_WIDTHS = (1, 5, 10, 30, 60, 300, 600, 900, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86400, 7 * 86400,
                30 * 86400, 365 * 86400)
_BURST_FACTOR = 3.0
_MIN_BURST_LINES = 5


class TimelineBuilder:
    def __init__(self) -> None:
        self._resolution = 1
        self._cells: dict[int, list[int]] = {}  # cell -> [lines, errors]

    def add(self, timestamp: float, is_error: bool) -> None:
        key = int(timestamp) // self._resolution
        cell = self._cells.get(key)
        if cell is None:
            if len(self._cells) >= _MAX_CELLS:
                self._coarsen()
                key = int(timestamp) // self._resolution
            cell = self._cells.setdefault(key, [0, 0])
        cell[0] += 1
        cell[1] += is_error

    def _coarsen(self) -> None:
        self._resolution *= 2
        merged: dict[int, list[int]] = {}
        for key, (lines, errors) in self._cells.items():
            cell = merged.setdefault(key // 2, [0, 0])
            cell[0] += lines
            cell[1] += errors
        self._cells = merged

    def build(self) -> Timeline | None:
        if not self._cells:
            return None
        lo = min(self._cells) * self._resolution
        hi = (max(self._cells) + 1) * self._resolution
        span = hi - lo
        width = next((w for w in _NICE_WIDTHS if w >= self._resolution and span / w <= _TARGET_BUCKETS),
                     _NICE_WIDTHS[-1])
        width = max(width, self._resolution)
        start = lo - lo % width
        counts: dict[int, list[int]] = {}
        for key, (lines, errors) in self._cells.items():
            cell = counts.setdefault((key * self._resolution - start) // width, [0, 0])
            cell[0] += lines
            cell[1] += errors
        n = max(counts) + 1
        rows = [counts.get(i, [0, 0]) for i in range(n)]
        typical_lines = statistics.median(r[0] for r in rows)
        typical_errors = statistics.median(r[1] for r in rows)
        buckets = []
        for i, (lines, errors) in enumerate(rows):
            burst = n >= 3 and (
                (lines >= _MIN_BURST_LINES and lines > _BURST_FACTOR * max(typical_lines, 1))
                or (errors >= _MIN_BURST_LINES and errors > _BURST_FACTOR * max(typical_errors, 1))
            )
            b0 = start + i * width
            buckets.append(TimelineBucket(start=iso_of(b0), end=iso_of(b0 + width), count=lines,
                                          error_count=errors, burst=burst))
        return Timeline(bucket_seconds=width, buckets=buckets, bursts=[b for b in buckets if b.burst])


def iso_of(epoch: float) -> str:
    """ISO 8601 in UTC, with milliseconds only when the stamp has a fraction."""
    moment = datetime.fromtimestamp(epoch, UTC)
    return moment.isoformat(timespec="milliseconds" if moment.microsecond else "seconds").replace("+00:00", "Z")
