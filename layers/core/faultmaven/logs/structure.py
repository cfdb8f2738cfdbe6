"""What kind of file a text is, and the structural summary of non-log files (config keys, CSV columns)."""

from __future__ import annotations

import csv
import io
import json
import re

from faultmaven.logs.models import Kind, Structure

_CONFIG_EXTENSIONS = {".yaml": "yaml", ".yml": "yaml", ".ini": "ini", ".cfg": "ini", ".conf": "ini",
                      ".toml": "toml", ".properties": "properties", ".env": "env"}
_CSV_EXTENSIONS = {".csv": ",", ".tsv": "\t"}
_LOG_EXTENSIONS = {".log", ".jsonl", ".ndjson", ".out", ".err"}
_MAX_KEYS = 200
_MAX_COLUMNS = 100

_YAML_KEY = re.compile(r"^(\s*)(?:- )?([\w.\-/$@]+|\"[^\"]+\"|'[^']+')\s*:(?:\s|$)")
_INI_SECTION = re.compile(r"^\s*\[\[?([^\]]+)\]\]?\s*$")
_ASSIGNMENT = re.compile(r"^\s*(?:export\s+)?([\w.\-/$@\"]+)\s*[=:]")
_COMMENT = re.compile(r"^\s*(?:#|;|//|$)")


def extension(filename: str | None) -> str:
    if not filename or "." not in filename:
        return ""
    return "." + filename.rsplit(".", 1)[1].lower()


def _json_lines(lines: list[str]) -> bool:
    lines = [ln for ln in lines if ln.strip()]
    if len(lines) < 2:
        return False
    try:
        return all(isinstance(json.loads(ln), dict) for ln in lines[:20])
    except (ValueError, RecursionError):
        return False


def _looks_csv(lines: list[str]) -> str | None:
    rows = [ln for ln in lines[:30] if ln.strip()]
    if len(rows) < 3:
        return None
    for delimiter in (",", "\t", ";", "|"):
        counts = {ln.count(delimiter) for ln in rows[:-1]}  # the last sampled line may be cut short
        if len(counts) == 1 and min(counts) >= 1:
            return delimiter
    return None


def _config_format(lines: list[str]) -> str | None:
    meaningful = [ln for ln in lines[:200] if not _COMMENT.match(ln)]
    if len(meaningful) < 2:
        return None
    if sum(bool(_INI_SECTION.match(ln)) for ln in meaningful) and all(
        _INI_SECTION.match(ln) or _ASSIGNMENT.match(ln) for ln in meaningful
    ):
        return "ini"
    if sum(bool(_YAML_KEY.match(ln)) for ln in meaningful) >= 0.6 * len(meaningful):
        return "yaml"
    if sum(bool(_ASSIGNMENT.match(ln)) for ln in meaningful) >= 0.8 * len(meaningful):
        return "properties"
    return None


def detect_kind(sample: str, filename: str | None, log_like_share: float) -> tuple[Kind, str | None]:
    """The kind of a file from its name and first characters, plus the format detail for non-logs.

    `log_like_share` is the share of sampled lines that carry a timestamp or a level.
    """
    ext = extension(filename)
    lines = sample.split("\n")
    stripped = sample.lstrip()
    if ext in _LOG_EXTENSIONS:
        return "log", None
    if ext == ".json" or stripped[:1] in ("{", "["):
        if _json_lines(lines):
            return "log", None
        if ext == ".json" or _parses_as_json(sample):
            return "json", "json"
    if ext in _CONFIG_EXTENSIONS:
        return "config", _CONFIG_EXTENSIONS[ext]
    if ext in _CSV_EXTENSIONS:
        return "csv", _CSV_EXTENSIONS[ext]
    if log_like_share >= 0.3:
        return "log", None
    delimiter = _looks_csv(lines)
    if delimiter:
        return "csv", delimiter
    fmt = _config_format(lines)
    if fmt:
        return "config", fmt
    return "text", None


def _parses_as_json(text: str) -> bool:
    try:
        json.loads(text)
    except (ValueError, RecursionError):
        return False
    return True


def json_structure(text: str | None) -> Structure:
    if text is None:
        return Structure(format="json", note="too large to parse as one document")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        return Structure(format="json", note=f"not valid JSON: {exc.msg} at line {exc.lineno}")
    except (ValueError, RecursionError):
        return Structure(format="json", note="not valid JSON or nested too deeply")
    keys: list[str] = []
    _walk_keys(doc, "", keys, depth=0)
    note = f"top level is a list of {len(doc)} items" if isinstance(doc, list) else None
    return Structure(format="json", keys=keys[:_MAX_KEYS], key_count=len(keys), note=note)


def _walk_keys(node: object, prefix: str, out: list[str], depth: int) -> None:
    if isinstance(node, list) and node and depth < 3:
        _walk_keys(node[0], prefix + "[]", out, depth + 1)  # the first element stands for the list's shape
    elif isinstance(node, dict) and depth < 3:
        for key, value in node.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            out.append(path)
            if len(out) >= _MAX_KEYS:
                return
            _walk_keys(value, path, out, depth + 1)


class ConfigKeys:
    """Collects dotted keys of a YAML / INI / TOML / properties file line by line (no parser dependency)."""

    def __init__(self, fmt: str) -> None:
        self.fmt = fmt
        self.keys: list[str] = []
        self.count = 0
        self._stack: list[tuple[int, str]] = []  # (indent, key) for YAML nesting
        self._section = ""

    def add(self, line: str) -> None:
        if _COMMENT.match(line):
            return
        section = _INI_SECTION.match(line)
        if section and self.fmt != "yaml":
            self._section = section.group(1).strip()
            self._record(self._section)
            return
        if self.fmt == "yaml":
            m = _YAML_KEY.match(line)
            if not m:
                return
            indent, key = len(m.group(1)), m.group(2).strip("\"'")
            while self._stack and self._stack[-1][0] >= indent:
                self._stack.pop()
            path = ".".join([k for _, k in self._stack] + [key])
            self._stack.append((indent, key))
            self._record(path)
            return
        m = _ASSIGNMENT.match(line)
        if m:
            key = m.group(1).strip('"')
            self._record(f"{self._section}.{key}" if self._section else key)

    def _record(self, key: str) -> None:
        self.count += 1
        if len(self.keys) < _MAX_KEYS and key not in self.keys:
            self.keys.append(key)

    def structure(self) -> Structure:
        return Structure(format=self.fmt, keys=self.keys, key_count=self.count)


class CsvShape:
    """Columns from the first row, rows counted as the stream goes by."""

    def __init__(self, delimiter: str) -> None:
        self.delimiter = delimiter
        self.columns: list[str] | None = None
        self.rows = 0

    def add(self, line: str) -> None:
        if not line.strip():
            return
        if self.columns is None:
            try:
                self.columns = next(csv.reader(io.StringIO(line), delimiter=self.delimiter), [])
            except csv.Error:
                self.columns = line.split(self.delimiter)
        else:
            self.rows += 1

    def structure(self) -> Structure:
        columns = [c.strip() for c in (self.columns or [])]
        fmt = "tsv" if self.delimiter == "\t" else "csv"
        return Structure(format=fmt, columns=columns[:_MAX_COLUMNS], key_count=len(columns), row_count=self.rows)


def collector(kind: Kind, detail: str | None) -> ConfigKeys | CsvShape | None:
    if kind == "config":
        return ConfigKeys(detail or "properties")
    if kind == "csv":
        return CsvShape(detail or ",")
    return None


def describe(structure: Structure) -> str:
    """One sentence about a non-log file's shape."""
    if structure.columns:
        shown = ", ".join(structure.columns[:12]) + (", ..." if len(structure.columns) > 12 else "")
        return f"{structure.format.upper()} table with {structure.key_count} columns ({shown}) and " \
               f"{structure.row_count} data rows."
    if structure.keys:
        shown = ", ".join(structure.keys[:15]) + (", ..." if len(structure.keys) > 15 else "")
        note = f" ({structure.note})" if structure.note else ""
        return f"{structure.format.upper()} document with {structure.key_count} keys{note}: {shown}."
    return f"{structure.format.upper()} document with no keys found" + (f" ({structure.note})." if structure.note
                                                                         else ".")
