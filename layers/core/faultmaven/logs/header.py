"""Generic log-line header detection: split a line into its header (time, level, host, process, component)
and its message, without knowing the format in advance.

The scan walks the first whitespace-separated tokens and classifies each one. Time-like tokens, a level token
and a `program[pid]:` / `component:` token are *anchors*; plain words between anchors (hosts, facilities) belong
to the header only when an anchor follows them. The message starts after the last anchor and the neutral tokens
(numbers, `[...]` groups, separators) directly behind it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from faultmaven.logs.levels import SYSLOG_SEVERITIES, canonical, http_status_level, level_of_token
from faultmaven.logs.timestamps import TIME_TOKEN, TimestampParser

_MAX_HEADER_TOKENS = 14
_MAX_WORDS_BEFORE_LEVEL = 3  # host, facility, component between the time and the level
_MAX_WORDS_BEFORE_PROGRAM = 1  # the host between the time and `program[pid]:`
_CLASS_CACHE_SIZE = 20_000
_LEARN_AFTER = 3  # lines with the same header layout before it gets a fast regex
_MAX_LAYOUTS = 4
_MAX_LAYOUT_CANDIDATES = 1_000

_NUMBER = r"[-+]?\d+(?:\.\d+)?[,:]?"
_SEPARATOR = re.compile(r"[-|:>]+")
# `sshd[123]:`, `crond(pam_unix)[7]:`, `org.example.Service:`, `/usr/sbin/cron[9]:` -- an identifier ending in ':'.
_PROGRAM = re.compile(r"[A-Za-z_./][\w./$@()#-]*(?:\[\d+\])?:")
_CLASSIFIER = re.compile(
    rf"(?P<T>{TIME_TOKEN.pattern})|(?P<N>{_NUMBER})|(?P<S>{_SEPARATOR.pattern})|(?P<P>{_PROGRAM.pattern})", re.VERBOSE
)
_ACCESS_REQUEST = re.compile(r"\"[A-Z]{3,10} \S+ HTTP/[\d.]+\"\s+(\d{3})\b")
_LEVEL_NAME_PREFIX = re.compile(r"(DEBUG|INFO|WARNING|ERROR|CRITICAL):[\w.]*:")
_LOGFMT_START = re.compile(r"\s*\w[\w.@-]*=")
_LOGFMT_PAIR = re.compile(r"(?<![\w.@-])(\w[\w.@-]*)=(\"(?:[^\"\\]|\\.)*\"|\S*)")

_PRI = re.compile(r"<(\d{1,3})>(?=\S)")
# RFC 5424 after the PRI: VERSION TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA [MSG]
_RFC5424 = re.compile(r"1 (\S+) \S+ \S+ \S+ \S+ (?:-|(?:\[(?:[^\]\\]|\\.)*\])+)(?: \ufeff?(.*))?$", re.DOTALL)
_LOGGER = re.compile(r"[A-Za-z_$][\w.$]*")
_FILE_PREFIX = re.compile(r"[\w./-]+\.(?:log|txt|out|err|\d+):(?=\d|\[|[A-Z][a-z]{2}\s)")
# One-letter levels (Android logcat, Go klog): only right behind the time and numbers, never as a plain word.
_LETTER_LEVELS = {"V": "debug", "D": "debug", "I": "info", "W": "warning", "E": "error", "F": "critical"}
_KLOG = re.compile(r"([IWEF])(\d{2})(\d{2})\s+(\d{2}:\d{2}:\d{2}(?:\.\d+)?)\s+\d+\s+[^\s\]]+\]\s?(.*)")

_JSON_TIME_KEYS = ("@timestamp", "timestamp", "time", "ts", "t", "datetime", "date", "asctime", "eventTime",
                   "__REALTIME_TIMESTAMP")
_JSON_LEVEL_KEYS = ("level", "severity", "lvl", "levelname", "log.level", "loglevel", "status", "PRIORITY")
_JSON_MESSAGE_KEYS = ("message", "msg", "event", "log", "text", "error", "MESSAGE")
_NUMERIC_LEVELS = {10: "debug", 20: "debug", 30: "info", 40: "warning", 50: "error", 60: "critical"}
_MAX_ATTRIBUTES = 20


@dataclass(slots=True)
class ParsedLine:
    content: str
    level: str | None
    time_text: str | None  # the header's time tokens; `HeaderParser.timestamp` converts them when needed
    attributes: dict[str, str] | None = None  # the other fields of a structured (JSON / logfmt) line


def _group_end(tokens: list[str], start: int, scan: int) -> int:
    """Index of the token closing the `[` group opened by tokens[start], or -1 when it does not close soon."""
    depth = 0
    for i in range(start, scan):
        depth += tokens[i].count("[") - tokens[i].count("]")
        if depth <= 0:
            return i
    return -1


def _access_level(content: str) -> str | None:
    if "HTTP/" not in content:
        return None
    m = _ACCESS_REQUEST.search(content)
    return http_status_level(int(m.group(1))) if m else None


_BOUNDARY = r"(?=\s|$)"
# Small pieces: words and numbers match loosely and their class is confirmed after the match (a cached lookup);
# a time piece is the exact time-token pattern; a level is checked afterwards.
_PIECES = {
    "T": f"(?x:{TIME_TOKEN.pattern})",  # exact: a time piece never takes a token the scan would not
    "N": _NUMBER,
    "S": _SEPARATOR.pattern,
    "P": _PROGRAM.pattern,
    "O": r"\[(?:[^\[\]]|\[[^\[\]]*\])*\]",
    "B": r"\[[^\]]*\]",
    "L": r"\S+",
    "W": r"(?!\[)\S+",
}


_CHECKED = frozenset("NW")  # pieces looser than the token classes they stand for (class lookups are cached)

_AFTER_LEVEL = rf"(?!\s+(?:(?:{_SEPARATOR.pattern}|{_PROGRAM.pattern}|[A-Za-z_$][\w.$]*\s+-){_BOUNDARY}|\[))"
_FOLLOW = {
    "L": _AFTER_LEVEL,
    "O": _AFTER_LEVEL,
    "P": rf"(?!\s+{_SEPARATOR.pattern}{_BOUNDARY})",
}


class _Layout:
    """A header layout seen on many lines of one file (e.g. time time number LEVEL component:), as one regex.

    Lines it matches are split exactly where the token scan would split them; the rest go through the scan.
    """

    __slots__ = ("checks", "has_level", "has_time", "pattern")

    def __init__(self, kinds: tuple[str, ...], first_time: int, last_time: int) -> None:
        # The time may end inside a `[...]` group (`[Sun Dec 04 04:47:44 2005]`): close it after the group's piece.
        time_end = max((i for i in range(last_time + 1) if kinds[i]), default=-1)
        parts = []
        checks: list[tuple[str, str]] = []
        for i, kind in enumerate(kinds):
            if not kind:
                continue  # a token inside a `[...]` group that started earlier
            piece = r"(?P<level>\S+)" if kind == "L" else _PIECES[kind]
            if kind in _CHECKED:  # loose pieces: the token's class is confirmed after the match
                piece = f"(?P<k{i}>{piece})"
                checks.append((f"k{i}", kind))
            if i == first_time:
                piece = "(?P<time>" + piece
            if i == time_end and first_time >= 0:
                piece += ")"
            parts.append(piece)
        self.checks = tuple(checks)
        self.has_level = "L" in kinds
        self.has_time = first_time >= 0
        last = next(k for k in reversed(kinds) if k)
        # The token scan would also take a separator, `[group]` or `component:` right after these; then so must we.
        follow = _FOLLOW.get(last, "")
        self.pattern = re.compile(r"\s*" + r"\s+".join(parts) + _BOUNDARY + follow + r"(?P<content>(?s:.*))")


class HeaderParser:
    """Stateful only for speed (it remembers the last timestamp format); safe on any text."""

    def __init__(self, default_year: int) -> None:
        self._timestamps = TimestampParser(default_year)
        self._classes: dict[str, str] = {}
        self._layouts: list[_Layout] = []
        self._layout_counts: dict[tuple[tuple[str, ...], int, int], int] = {}

    def timestamp(self, parsed: ParsedLine) -> float | None:
        """The instant of a parsed line (seconds since the epoch, UTC), or None."""
        return self._timestamps.parse(parsed.time_text) if parsed.time_text else None

    def parse(self, line: str) -> ParsedLine:
        first = line[:1]
        if first == "<":
            m = _PRI.match(line)  # syslog's `<PRI>`: facility * 8 + severity
            if m is not None:
                return self._parse_syslog(line[m.end() :], SYSLOG_SEVERITIES[int(m.group(1)) % 8])
        if first == "{" or first.isspace():
            stripped = line.strip()
            if stripped.startswith("{") and stripped.endswith("}"):
                parsed = self._parse_json(stripped)
                if parsed is not None:
                    return parsed
        if first.isupper():
            m = _LEVEL_NAME_PREFIX.match(line)  # Python's default `WARNING:name:message`
            if m is not None:
                return ParsedLine(line[m.end() :].strip(), canonical(m.group(1)), None)
        if first != "[" and not first.isdigit():
            m = _FILE_PREFIX.match(line)  # `grep -H` / multi-file tails: `app.log:2024-05-01 10:00:00 ...`
            if m is not None:
                line = line[m.end() :]
                first = line[:1]
        if first in _LETTER_LEVELS:
            m = _KLOG.match(line)  # Go klog/glog: `I0517 12:34:56.789012  1 file.go:42] message`
            if m is not None:
                return ParsedLine(m.group(5), _LETTER_LEVELS[first], f"{m.group(2)}-{m.group(3)} {m.group(4)}")
        if line.find("=", 0, 64) > 0 and _LOGFMT_START.match(line):
            parsed = self._parse_logfmt(line.strip())
            if parsed is not None:
                return parsed
        parsed = self._parse_plain(line)
        if parsed.level is None and parsed.content[:1] in _LETTER_LEVELS:
            m = _KLOG.match(parsed.content)  # klog behind a syslog header (kubelet under journald)
            if m is not None:
                parsed.content, parsed.level = m.group(5), _LETTER_LEVELS[m.group(1)]
        return parsed

    def _parse_syslog(self, rest: str, severity: str) -> ParsedLine:
        m = _RFC5424.match(rest)
        if m is not None:
            stamp = m.group(1)
            return ParsedLine((m.group(2) or "").strip(), severity, None if stamp == "-" else stamp)
        parsed = self.parse(rest)  # RFC 3164: `<PRI>Mmm dd hh:mm:ss host tag: message`
        if parsed.level is None:
            parsed.level = severity
        return parsed

    def _classify(self, token: str) -> str:
        """One of T (time), N (number), S (separator), P (program/component), O (`[` group), W (word),
        or "L" + the canonical level. Memoised: hosts, levels and components repeat on nearly every line."""
        cls = self._classes.get(token)
        if cls is not None:
            return cls
        first = token[0]
        if first.isdigit():  # times, dates, pids: never a level or a group, and too varied to memoise...
            if token.isdigit():  # ...except plain digit runs, whose class depends on length and lead digit only
                shape = f"{len(token)} {first}"  # contains a space, so never a token itself
                cls = self._classes.get(shape)
                if cls is None:
                    m = _CLASSIFIER.fullmatch(token)
                    cls = self._classes[shape] = (m.lastgroup or "W") if m else "W"
                return cls
            m = _CLASSIFIER.fullmatch(token)
            return (m.lastgroup or "W") if m else "W"
        level = level_of_token(token)
        if level:
            cls = "L" + level
        elif first == "[":
            cls = "O"  # a group; the scan looks inside it for a time or a level
        else:
            m = _CLASSIFIER.fullmatch(token)
            cls = (m.lastgroup or "W") if m else "W"
        if len(self._classes) >= _CLASS_CACHE_SIZE:
            self._classes.clear()  # bounded; the frequent tokens come straight back
        self._classes[token] = cls
        return cls

    def _parse_plain(self, line: str) -> ParsedLine:
        for layout in self._layouts:
            m = layout.pattern.match(line)
            if m is not None:
                parsed = self._from_layout(layout, m)
                if parsed is not None:
                    return parsed
        tokens = line.split(None, _MAX_HEADER_TOKENS)
        scan = min(len(tokens), _MAX_HEADER_TOKENS)
        kinds = [""] * scan  # the class of each header token, for learning the file's layout
        level: str | None = None
        header_end = 0  # tokens[header_end:] is the message
        first_time = last_time = -1
        words = 0  # plain words since the last anchor
        i = 0
        while i < scan:
            cls = kinds[i] = self._classify(tokens[i])
            if cls == "T":
                if first_time < 0:
                    # `01 May 2024 10:00:00`: a day number before the month belongs to the stamp
                    first_time = i - 1 if i and kinds[i - 1] == "N" and len(tokens[i - 1]) <= 2 else i
                last_time, words, header_end = i, 0, i + 1
            elif cls[0] == "L":
                if words <= _MAX_WORDS_BEFORE_LEVEL:
                    level = cls[1:]
                    header_end = self._after_level(tokens, i + 1, scan, kinds)
                break
            elif cls == "O":
                close = _group_end(tokens, i, scan)
                if close < 0:
                    break
                group = " ".join(tokens[i : close + 1])
                found = level_of_token(group)
                if found and words <= _MAX_WORDS_BEFORE_LEVEL:
                    level, kinds[i] = found, "L"
                    header_end = self._after_level(tokens, close + 1, scan, kinds)
                    break
                if any(TIME_TOKEN.fullmatch(t) for t in group.strip("[]").split()):
                    kinds[i] = "B"
                    if first_time < 0:
                        first_time = i
                    last_time, words, header_end = close, 0, close + 1
                elif words == 0 and last_time >= 0:
                    header_end = close + 1
                kinds[i + 1 : close + 1] = [""] * (close - i)
                i = close
            elif cls == "P":
                if words <= _MAX_WORDS_BEFORE_PROGRAM if last_time >= 0 else i <= 1:
                    header_end = i + 1
                break
            elif cls == "N" or cls == "S":
                if words == 0 and last_time >= 0:
                    header_end = i + 1
                elif cls == "S" and words == 1 and last_time >= 0 and last_time == i - 2:
                    header_end = i + 1  # `time program - message`: the one word before the separator is a program
                    break
            elif words == 0 and last_time >= 0 and tokens[i] in _LETTER_LEVELS:
                level = _LETTER_LEVELS[tokens[i]]  # Android's `time pid tid D Tag: message`
                kinds[i] = "L"
                header_end = self._after_level(tokens, i + 1, scan, kinds)
                break
            else:
                words += 1
                if words > _MAX_WORDS_BEFORE_LEVEL:
                    break
            i += 1
        content = " ".join(tokens[header_end:]) if header_end else line.strip()
        time_text = " ".join(tokens[first_time : last_time + 1]) if last_time >= 0 else None
        if header_end and (level is not None or kinds[header_end - 1] == "P"):
            # Only headers closed by a level or a `program:` token: their end does not depend on the message.
            self._learn(tuple(kinds[:header_end]), first_time, last_time)
        if level is None:
            level = _access_level(content)
        return ParsedLine(content, level, time_text)

    def _learn(self, kinds: tuple[str, ...], first_time: int, last_time: int) -> None:
        """Count header layouts; one seen often enough becomes a single regex tried before the token scan."""
        kinds = tuple("L" if k[:1] == "L" else k for k in kinds)  # any level fits the same layout
        key = (kinds, first_time, last_time)
        seen = self._layout_counts.get(key, 0) + 1
        if len(self._layout_counts) >= _MAX_LAYOUT_CANDIDATES:
            self._layout_counts.clear()
        self._layout_counts[key] = seen
        if seen == _LEARN_AFTER and len(self._layouts) < _MAX_LAYOUTS:
            self._layouts.append(_Layout(kinds, first_time, last_time))

    def _from_layout(self, layout: _Layout, m: re.Match[str]) -> ParsedLine | None:
        for group, kind in layout.checks:
            if self._classify(m.group(group)) != kind:
                return None  # e.g. a time where the layout has a host: the token scan decides
        level = None
        if layout.has_level:
            cls = self._classify(m.group("level"))
            if cls[0] != "L":
                return None
            level = cls[1:]
        content = m.group("content").strip()
        time_text = m.group("time") if layout.has_time else None
        if level is None:
            level = _access_level(content)
        return ParsedLine(content, level, time_text)

    @staticmethod
    def _after_level(tokens: list[str], i: int, scan: int, kinds: list[str]) -> int:
        """Skip what log4j-style layouts put after the level: separators, `[thread]` groups, one `component:`."""
        saw_group = False
        while i < scan:
            token = tokens[i]
            if _SEPARATOR.fullmatch(token):
                kinds[i] = "S"
                i += 1
                if saw_group:
                    return i  # `LEVEL [thread] - message`: a separator after the group ends the header
                continue
            if token[0] == "[":
                close = _group_end(tokens, i, scan)
                if close < 0:
                    return i
                kinds[i : close + 1] = ["O"] + [""] * (close - i)
                i, saw_group = close + 1, True
                continue
            if i + 1 < scan and tokens[i + 1] == "-" and _LOGGER.fullmatch(token):
                kinds[i : i + 2] = ["W", "S"]  # logback / log4j `LEVEL logger - message`
                return i + 2
            if _PROGRAM.fullmatch(token):
                kinds[i] = "P"
                i += 1
                if i < scan and _SEPARATOR.fullmatch(tokens[i]):
                    kinds[i] = "S"
                    i += 1
            return i
        return i

    @staticmethod
    def _parse_json(text: str) -> ParsedLine | None:
        try:
            record = json.loads(text)
        except (ValueError, RecursionError):
            return None
        return _from_fields(record, keys_as_message=True) if isinstance(record, dict) else None

    @staticmethod
    def _parse_logfmt(text: str) -> ParsedLine | None:
        pairs: dict[str, object] = {k: v[1:-1] if v[:1] == '"' else v for k, v in _LOGFMT_PAIR.findall(text)}
        return _from_fields(pairs, keys_as_message=False)


def _field(record: dict[str, object], keys: tuple[str, ...]) -> tuple[str | None, object]:
    """The first of `keys` present in the record (any case), and its value."""
    for key in keys:
        if key in record:
            return key, record[key]
    lowered = {k.lower(): k for k in record if isinstance(k, str)}
    for key in keys:
        if key.lower() in lowered:
            return lowered[key.lower()], record[lowered[key.lower()]]
    return None, None


def _level_value(value: object) -> str | None:
    if isinstance(value, str):
        return canonical(value)
    if isinstance(value, int) and not isinstance(value, bool):  # pino / bunyan: 10 trace ... 60 fatal
        return _NUMERIC_LEVELS.get(value)
    return None


def _from_fields(record: dict[str, object], *, keys_as_message: bool) -> ParsedLine | None:
    """A structured record (JSON object, logfmt pairs) by field: time, level, message; the rest are attributes.

    Without a message field, a JSON record's sorted keys (its shape) stand for the message, and logfmt's remaining
    pairs do (the masker then treats their values as variables). None when the record has none of the fields.
    """
    time_key, stamp = _field(record, _JSON_TIME_KEYS)
    level_key, level_value = _field(record, _JSON_LEVEL_KEYS)
    message_key, message = _field(record, _JSON_MESSAGE_KEYS)
    if level_key == "PRIORITY" and str(level_value).isdigit():  # journald: syslog severity 0-7
        level: str | None = SYSLOG_SEVERITIES[int(str(level_value)) % 8]
    else:
        level = _level_value(level_value)
    if level is None:
        level_key = None  # e.g. an HTTP `status` of 200: an attribute, not a level
    used = {time_key, level_key, message_key}
    attributes = {k: v for k, v in record.items() if k not in used}
    if not isinstance(message, str):
        if message_key is None and time_key is None and level_key is None and not keys_as_message:
            return None
        if message_key is not None:
            attributes[message_key] = message
        if keys_as_message:
            message = " ".join(sorted(map(str, record)))
        else:
            message = " ".join(f"{k}={v}" for k, v in attributes.items())
    time_text = None
    if isinstance(stamp, str):
        time_text = stamp
    elif isinstance(stamp, int | float) and not isinstance(stamp, bool):
        time_text = str(stamp)
    shown = {str(k): v if isinstance(v, str) else json.dumps(v, default=str)[:200]
             for k, v in list(attributes.items())[:_MAX_ATTRIBUTES]}
    return ParsedLine(message.strip(), level, time_text or None, shown)
