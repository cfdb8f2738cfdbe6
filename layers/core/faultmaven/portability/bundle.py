"""The bundle on disk: a directory, or the same tree as a .tar.gz.

```
manifest.json            format, version, source mode, embedding model, created at, counts, per-file SHA-256
entities/<kind>.jsonl    one line per record: {"record": {...}, "blobs": [{"key", "content_type"}]}, and for some
                         kinds an "extra" (a document's chunks and vectors)
blobs/<key>              the bytes of every blob a record names (sealed placeholder maps as their ciphertext)
```

A bundle is read only after it is verified whole: a known format version, every listed file present with its
checksum and size, no file that the manifest does not list, and line counts that match — so a tampered or truncated
bundle is refused before anything is written.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tarfile
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from faultmaven.errors import InvalidInput, TooLarge

FORMAT = "faultmaven-bundle"
FORMAT_VERSION = 1
SUPPORTED_VERSIONS = (1,)
MANIFEST = "manifest.json"
ENTITIES = "entities"
BLOBS = "blobs"


# Per kind: the model of its records, and of the extra data its lines may carry (None: none).
KindModels = tuple[type[BaseModel], type[BaseModel] | None]


class FileDigest(BaseModel):
    sha256: str
    bytes: int


class EmbeddingInfo(BaseModel):
    model_id: str
    dim: int


class Manifest(BaseModel):
    format: str = FORMAT
    format_version: int = FORMAT_VERSION
    faultmaven_version: str
    source_mode: str
    created_at: str
    embedding: EmbeddingInfo
    counts: dict[str, int] = Field(default_factory=dict)  # records per entity kind
    files: dict[str, FileDigest] = Field(default_factory=dict)  # bundle-relative path -> digest


def is_archive(path: Path) -> bool:
    return path.name.endswith((".tar.gz", ".tgz"))


def blob_path(key: str) -> str:
    return f"{BLOBS}/{key}"


def entity_path(kind: str) -> str:
    return f"{ENTITIES}/{kind}.jsonl"


def _digest(path: Path) -> FileDigest:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return FileDigest(sha256=h.hexdigest(), bytes=path.stat().st_size)


class BundleWriter:
    """Fills a fresh directory; `close` writes the manifest (and packs the archive when the target is one)."""

    def __init__(self, target: Path) -> None:
        self.target = target
        if target.exists() and (not target.is_dir() or any(target.iterdir())):
            raise InvalidInput(f"{target} already exists; export into a new path", code="BUNDLE_EXISTS")
        self._work = Path(tempfile.mkdtemp(prefix="fm-export-")) if is_archive(target) else target
        self._work.mkdir(parents=True, exist_ok=True)
        (self._work / ENTITIES).mkdir(exist_ok=True)

    def path(self, relative: str) -> Path:
        path = self._work / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def close(self, manifest: Manifest) -> Manifest:
        files = sorted(p for p in self._work.rglob("*") if p.is_file() and p.name != MANIFEST)
        manifest.files = {p.relative_to(self._work).as_posix(): _digest(p) for p in files}
        (self._work / MANIFEST).write_text(manifest.model_dump_json(indent=2))
        if self._work != self.target:
            self.target.parent.mkdir(parents=True, exist_ok=True)
            partial = self.target.with_name(self.target.name + ".partial")
            with tarfile.open(partial, "w:gz") as tar:
                tar.add(self._work, arcname=".")
            partial.replace(self.target)  # the archive appears whole or not at all
            shutil.rmtree(self._work, ignore_errors=True)
        return manifest

    def abandon(self) -> None:
        """Remove what a failed export wrote (a directory it created, or the archive's work dir)."""
        shutil.rmtree(self._work, ignore_errors=True)


@dataclass
class Bundle:
    """A verified bundle's tree on disk."""

    root: Path
    manifest: Manifest

    def lines(self, kind: str) -> Iterator[dict[str, Any]]:
        path = self.root / entity_path(kind)
        if not path.exists():
            return
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    try:
                        yield json.loads(line)
                    except json.JSONDecodeError as exc:
                        raise _refuse(f"{entity_path(kind)} holds a line that is not JSON") from exc

    def blob(self, key: str) -> bytes:
        return (self.root / blob_path(key)).read_bytes()


def _refuse(detail: str) -> InvalidInput:
    return InvalidInput(f"bundle refused: {detail}; nothing was imported", code="BUNDLE_INVALID")


def verify(root: Path, models: Mapping[str, KindModels]) -> Bundle:
    """The bundle at `root` when it is whole, of a version this code reads, and every line holds a valid record of
    its kind whose blobs are in the bundle; else `InvalidInput`."""
    try:
        raw = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise _refuse(f"no {MANIFEST}") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise _refuse(f"{MANIFEST} is not JSON") from exc
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise _refuse(f"not a {FORMAT}")
    if raw.get("format_version") not in SUPPORTED_VERSIONS:
        raise _refuse(f"format version {raw.get('format_version')!r} is not one this FaultMaven reads "
                      f"({', '.join(map(str, SUPPORTED_VERSIONS))})")
    try:
        manifest = Manifest.model_validate(raw)
    except ValidationError as exc:
        raise _refuse(f"{MANIFEST} is malformed ({exc.error_count()} problem(s))") from exc
    unknown = set(manifest.counts) - set(models)
    if unknown:
        raise _refuse(f"unknown entity kinds {sorted(unknown)}")
    present = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() and p.name != MANIFEST}
    if extra := present - set(manifest.files):
        raise _refuse(f"{len(extra)} file(s) not in the manifest, e.g. {sorted(extra)[0]}")
    for relative, expected in manifest.files.items():
        path = root / relative
        if not path.resolve().is_relative_to(root.resolve()) or not path.is_file():
            raise _refuse(f"{relative} is missing")
        if _digest(path) != expected:
            raise _refuse(f"the checksum of {relative} does not match")
    bundle = Bundle(root, manifest)
    for kind, count in manifest.counts.items():
        n = 0
        for n, line in enumerate(bundle.lines(kind), 1):
            _check_line(manifest, kind, n, line, models[kind])
        if n != count:
            raise _refuse(f"{entity_path(kind)} does not hold {count} record(s)")
    return bundle


def _check_line(manifest: Manifest, kind: str, n: int, line: Any, models: KindModels) -> None:
    where = f"{entity_path(kind)} line {n}"
    if not isinstance(line, dict) or not isinstance(line.get("blobs"), list):
        raise _refuse(f"{where} is not a record line")
    record_model, extra_model = models
    try:
        record_model.model_validate(line.get("record"))
        if line.get("extra") is not None:
            if extra_model is None:
                raise _refuse(f"{where} carries data a {kind} record does not have")
            extra_model.model_validate(line["extra"])
    except ValidationError as exc:
        raise _refuse(f"{where} is not a valid {kind} record ({exc.error_count()} problem(s))") from exc
    for blob in line["blobs"]:
        if not (isinstance(blob, dict) and isinstance(blob.get("key"), str) and isinstance(blob.get("content_type"),
                                                                                            str)):
            raise _refuse(f"{where} names a blob badly")
        if blob_path(blob["key"]) not in manifest.files:
            raise _refuse(f"{where} names a blob that is not in the bundle")


@contextmanager
def opened(source: Path, models: Mapping[str, KindModels], max_bytes: int | None = None) -> Iterator[Bundle]:
    """A verified bundle from a directory or an archive (unpacked into a temporary directory for the duration);
    `max_bytes` bounds the archive and what it unpacks to (`TooLarge` above it)."""
    if source.is_dir():
        yield verify(source, models)
        return
    if not source.is_file():
        raise InvalidInput(f"no bundle at {source}", code="BUNDLE_NOT_FOUND")
    work = Path(tempfile.mkdtemp(prefix="fm-import-"))
    try:
        try:
            if max_bytes is not None and source.stat().st_size > max_bytes:
                raise TooLarge(f"the bundle is larger than {max_bytes} bytes; import it with the CLI",
                               code="BUNDLE_TOO_LARGE")
            with tarfile.open(source, "r:*") as tar:
                if max_bytes is not None and sum(m.size for m in tar.getmembers()) > max_bytes:
                    raise TooLarge(f"the bundle unpacks to more than {max_bytes} bytes; import it with the CLI",
                                   code="BUNDLE_TOO_LARGE")
                tar.extractall(work, filter="data")  # no absolute paths, no escaping links, no device files
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise _refuse(f"the archive cannot be read ({type(exc).__name__})") from exc
        yield verify(work, models)
    finally:
        shutil.rmtree(work, ignore_errors=True)
