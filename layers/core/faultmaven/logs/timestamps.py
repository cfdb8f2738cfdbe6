"""Timestamp recognition: which header tokens are time-like, and the instant a header names.

Formats are generic (ISO 8601 and its variants, syslog and ctime, access-log, slash dates, compact
`yymmdd hhmmss`, Unix epochs); nothing here is tied to a particular product's log layout.
"""

from __future__ import annotations

import re
import time
from calendar import timegm
from functools import lru_cache

_MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
                                         "dec"), start=1)}
_MON = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
_DAY = r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)"

# One header token that is (part of) a timestamp. Brackets, trailing commas and colons are allowed around it.
TIME_TOKEN = re.compile(
    r"""\[?(?:
        \d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?:[T_-]?\d{1,2}[:.]\d{2}(?:[:.]\d{2})?(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?
      | \d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}
      | (?:0?[1-9]|1[0-2])[-.](?:0[1-9]|[12]\d|3[01])
      | \d{1,2}/[A-Za-z]{3}/\d{4}(?::\d{2}:\d{2}:\d{2})?
      | \d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?
      | """ + _DAY + r"""[a-z]*
      | """ + _MON + r"""[a-z]*\.?
      | [+-]\d{4} | UTC | GMT | Z
      | \d{6} | \d{8} | \d{14} | \d{8}T\d{6}Z?
      | 1\d{9}(?:\d{3}|\d{6}|\d{9})?(?:\.\d+)?
    )\]?[,:]?""",
    re.VERBOSE,
)

_TZ = r"(Z|[+-]\d{2}:?\d{2})?"
_FRAC = r"(?:[.,](\d+))?"
# (pattern, kind); tried in order, with the last one that matched tried first on the next line.
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T_ -]|-|\s)\s?(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?"
                + _FRAC + r"\s?" + _TZ), "ymd"),
    (re.compile(r"(\d{1,2})/([A-Za-z]{3})/(\d{4}):(\d{2}):(\d{2}):(\d{2})(?:\s([+-]\d{4}))?"), "access"),
    (re.compile(r"(\d{2,4})/(\d{1,2})/(\d{2,4})[ T:](\d{1,2}):(\d{2}):(\d{2})" + _FRAC), "slash"),
    (re.compile(r"(?:" + _DAY + r"[a-z]*,?\s+)?(" + _MON + r")[a-z]*\.?\s+(\d{1,2}),?\s+(?:(\d{4})\s+)?"
                r"(\d{1,2}):(\d{2}):(\d{2})" + _FRAC + r"(?:\s+(\d{4})\b)?"), "mon_day"),
    (re.compile(r"\b(\d{1,2})\s+(" + _MON + r")[a-z]*\.?\s+(\d{4})\s+(\d{1,2}):(\d{2}):(\d{2})" + _FRAC), "day_mon"),
    (re.compile(r"(?<!\d)(\d{2}|\d{4})(\d{2})(\d{2})[ T-]?(\d{2})(\d{2})(\d{2})(?!\d)"), "compact"),
    (re.compile(r"(?<![\d.:/-])(\d{1,2})[.-](\d{1,2})[ T_]+(\d{1,2}):(\d{2}):(\d{2})" + _FRAC), "month_day"),
    (re.compile(r"(?<![\d.])(1\d{9})(?:(\d{3}|\d{6}|\d{9})|\.(\d+))?(?![\d.])"), "epoch"),  # s, ms, us, ns
    (re.compile(r"(\d{4})[-/.](\d{2})[-/.](\d{2})(?!\d)"), "date"),
]

_FUTURE_SLACK = 2 * 86400  # a year-less stamp further ahead than this is from last year
_EPOCH_MIN, _EPOCH_MAX = 946_684_800, 2_524_608_000  # 2000-01-01 .. 2050-01-01: a 10-digit number outside is an id


def _year(text: str) -> int:
    y = int(text)
    if y >= 100:
        return y
    return y + 2000 if y < 69 else y + 1900  # the POSIX pivot for two-digit years


def _tz_offset(tz: str | None) -> int:
    if not tz or tz == "Z":
        return 0
    sign = -1 if tz[0] == "-" else 1
    digits = tz[1:].replace(":", "")
    return sign * (int(digits[:2]) * 3600 + int(digits[2:4]) * 60)


def _frac(text: str | None) -> float:
    return float("0." + text) if text else 0.0


@lru_cache(maxsize=4096)
def _day_start(y: int, mo: int, d: int) -> int:
    return timegm((y, mo, d, 0, 0, 0, 0, 0, 0))


def _epoch(y: int, mo: int, d: int, h: int, mi: int, s: int) -> float | None:
    if not (1 <= mo <= 12 and 1 <= d <= 31 and h <= 23 and mi <= 59 and s <= 60 and 1970 <= y <= 2100):
        return None
    return float(_day_start(y, mo, d) + h * 3600 + mi * 60 + s)


def _with_default_year(year: int, mo: int, d: int, h: int, mi: int, s: int, frac: str | None) -> float | None:
    """A stamp without a year: this year, or last year when that would put it in the future."""
    t = _epoch(year, mo, d, h, mi, s)
    if t is not None and t > time.time() + _FUTURE_SLACK:
        t = _epoch(year - 1, mo, d, h, mi, s)
    return None if t is None else t + _frac(frac)


def _convert(kind: str, g: tuple[str | None, ...], default_year: int) -> float | None:
    if kind == "ymd":
        t = _epoch(int(g[0]), int(g[1]), int(g[2]), int(g[3]), int(g[4]), int(g[5] or 0))
        return None if t is None else t + _frac(g[6]) - _tz_offset(g[7])
    if kind == "access":
        mo = _MONTHS.get(g[1].lower()[:3], 0)
        t = _epoch(int(g[2]), mo, int(g[0]), int(g[3]), int(g[4]), int(g[5]))
        return None if t is None else t - _tz_offset(g[6])
    if kind == "slash":
        a, b, c = g[0], g[1], g[2]
        if len(a) == 4:
            y, mo, d = int(a), int(b), int(c)
        elif len(c) == 4:  # day first when the first part cannot be a month, else month first (US)
            y, mo, d = (int(c), int(b), int(a)) if int(a) > 12 else (int(c), int(a), int(b))
        else:
            y, mo, d = _year(a), int(b), int(c)
        t = _epoch(y, mo, d, int(g[3]), int(g[4]), int(g[5]))
        return None if t is None else t + _frac(g[6])
    if kind == "mon_day":
        month = _MONTHS[g[0].lower()[:3]]
        if g[2] or g[7]:
            t = _epoch(int(g[2] or g[7]), month, int(g[1]), int(g[3]), int(g[4]), int(g[5]))
            return None if t is None else t + _frac(g[6])
        return _with_default_year(default_year, month, int(g[1]), int(g[3]), int(g[4]), int(g[5]), g[6])
    if kind == "day_mon":
        t = _epoch(int(g[2]), _MONTHS[g[1].lower()[:3]], int(g[0]), int(g[3]), int(g[4]), int(g[5]))
        return None if t is None else t + _frac(g[6])
    if kind == "compact":
        return _epoch(_year(g[0]), int(g[1]), int(g[2]), int(g[3]), int(g[4]), int(g[5]))
    if kind == "month_day":  # `10.30 16:49:06`, `03-17 16:13:38.811`: no year, as syslog
        return _with_default_year(default_year, int(g[0]), int(g[1]), int(g[2]), int(g[3]), int(g[4]), g[5])
    if kind == "epoch":
        t = float(g[0])
        if not _EPOCH_MIN <= t <= _EPOCH_MAX:
            return None
        return t + _frac(g[1] or g[2])
    return _epoch(int(g[0]), int(g[1]), int(g[2]), 0, 0, 0)  # "date"


class TimestampParser:
    """Finds the instant in a log header; remembers the format that matched last, since a file rarely mixes them."""

    def __init__(self, default_year: int) -> None:
        self._default_year = default_year  # for syslog-style stamps, which omit the year
        self._order = list(range(len(_PATTERNS)))
        self._last: tuple[str, float | None] = ("", None)

    def parse(self, header: str) -> float | None:
        """Seconds since the Unix epoch (UTC; stamps without a zone are taken as UTC), or None."""
        if header == self._last[0]:  # consecutive lines often share their stamp
            return self._last[1]
        value = self._parse(header)
        self._last = (header, value)
        return value

    def _parse(self, header: str) -> float | None:
        for pos, idx in enumerate(self._order):
            pattern, kind = _PATTERNS[idx]
            m = pattern.search(header)
            if m is None:
                continue
            value = _convert(kind, m.groups(), self._default_year)
            if value is not None:
                if pos and kind != "date":  # a bare date must not shadow full stamps on later lines
                    self._order.insert(0, self._order.pop(pos))
                return value
        return None
