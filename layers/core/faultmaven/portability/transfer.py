"""Export every entity kind of one deployment into a bundle, and import a bundle into any deployment.

Both sides go through the container's ports, so the source and the target may be any adapter family (embedded
SQLite and files, or DynamoDB and S3). Import writes each record's blobs just before the record (only when the record
is written), so a record never points at a missing file, and skips what the target already holds, so a second import
writes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from faultmaven import __version__
from faultmaven.clock import iso, now
from faultmaven.portability.bundle import (
    Bundle,
    BundleWriter,
    EmbeddingInfo,
    Manifest,
    blob_path,
    entity_path,
    opened,
)
from faultmaven.portability.kinds import KINDS, BlobRef, LoadContext, Stores, walk_kinds

Progress = Callable[[str], None]
PROGRESS_EVERY = 500


def _quiet(_: str) -> None:
    return None


def export_bundle(stores: Stores, target: Path, *, mode: str, progress: Progress = _quiet) -> Manifest:
    """Write every record and the blobs they name into a new bundle at `target` (a directory or a .tar.gz)."""
    writer = BundleWriter(target)
    counts: dict[str, int] = {}
    missing: list[str] = []
    try:
        for kind, items in walk_kinds(stores):
            n = 0
            with writer.path(entity_path(kind.name)).open("w", encoding="utf-8") as out:
                for item in items:
                    blobs = []
                    for ref in item.blobs:
                        if _copy_blob(stores, ref, writer):
                            blobs.append({"key": ref.key, "content_type": ref.content_type})
                        elif ref.required:
                            missing.append(ref.key)
                    line = {"record": item.record.model_dump(mode="json"), "blobs": blobs}
                    carried = kind.carry(stores, item.record) if kind.carry else None
                    if carried is not None:
                        line["extra"] = carried.model_dump(mode="json")
                    out.write(json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n")
                    n += 1
                    if n % PROGRESS_EVERY == 0:
                        progress(f"{kind.name}: {n}…")
            counts[kind.name] = n
            progress(f"{kind.name}: {n}")
        space = stores.embedder.space
        manifest = writer.close(Manifest(faultmaven_version=__version__, source_mode=mode, created_at=iso(now()),
                                         embedding=EmbeddingInfo(model_id=space.model_id, dim=space.dim),
                                         counts=counts))
    except BaseException:
        writer.abandon()
        raise
    if missing:
        progress(f"warning: {len(missing)} file(s) named by records were missing in the source, e.g. {missing[0]}")
    return manifest


def _copy_blob(stores: Stores, ref: BlobRef, writer: BundleWriter) -> bool:
    if not stores.blobs.exists(ref.key):
        return False
    writer.path(blob_path(ref.key)).write_bytes(stores.blobs.get(ref.key))
    return True


@dataclass
class ImportReport:
    source_mode: str
    source_model: str
    target_model: str
    written: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    blobs_written: int = 0
    documents_reindexed: int = 0
    documents_vectors_reused: int = 0  # indexed from the bundle's vectors (the same model): nothing embedded
    documents_not_indexed: list[str] = field(default_factory=list)

    @property
    def model_changed(self) -> bool:
        return self.source_model != self.target_model

    def as_dict(self) -> dict[str, Any]:
        return {"source_mode": self.source_mode, "source_model": self.source_model,
                "target_model": self.target_model, "model_changed": self.model_changed, "written": self.written,
                "unchanged": self.unchanged, "blobs_written": self.blobs_written,
                "documents_reindexed": self.documents_reindexed,
                "documents_vectors_reused": self.documents_vectors_reused,
                "documents_not_indexed": self.documents_not_indexed}


def import_bundle(stores: Stores, source: Path, *, progress: Progress = _quiet,
                  max_bytes: int | None = None) -> ImportReport:
    """Load a verified bundle into `stores`. Refuses (`InvalidInput`, nothing written) a bundle that fails its
    checksums, has an unknown version, or whose users clash with other users of the target by username."""
    with opened(source, {k.name: (k.model, k.carry_model) for k in KINDS}, max_bytes) as bundle:
        _check_usernames(stores, bundle)
        report = ImportReport(source_mode=bundle.manifest.source_mode,
                              source_model=bundle.manifest.embedding.model_id,
                              target_model=stores.embedder.space.model_id)
        if report.model_changed:
            progress(f"embedding model changes ({report.source_model} -> {report.target_model}): documents are "
                     "re-embedded with the target's model")
        else:
            progress(f"same embedding model ({report.target_model}): documents keep their exported vectors")
        ctx = LoadContext()
        for kind in KINDS:
            total = bundle.manifest.counts.get(kind.name, 0)
            written = unchanged = 0
            for n, line in enumerate(bundle.lines(kind.name), 1):
                def write_files(blobs: list[dict[str, str]] = line["blobs"]) -> None:
                    report.blobs_written += sum(_put_blob(stores, bundle, blob) for blob in blobs)

                ctx.write_files, ctx.extra = write_files, line.get("extra")
                if kind.load(stores, kind.model.model_validate(line["record"]), ctx):
                    written += 1
                else:
                    unchanged += 1
                if n % PROGRESS_EVERY == 0 or (kind.name == "documents" and n % 10 == 0):
                    progress(f"{kind.name}: {n}/{total}…")
            report.written[kind.name], report.unchanged[kind.name] = written, unchanged
            progress(f"{kind.name}: {written} written, {unchanged} already there")
        report.documents_reindexed, report.documents_not_indexed = ctx.reindexed, ctx.reindex_failed
        report.documents_vectors_reused = ctx.vectors_reused
    return report


def _put_blob(stores: Stores, bundle: Bundle, blob: dict[str, str]) -> int:
    data = bundle.blob(blob["key"])
    if stores.blobs.exists(blob["key"]) and stores.blobs.get(blob["key"]) == data:
        return 0
    stores.blobs.put(blob["key"], data, blob["content_type"])
    return 1


def _check_usernames(stores: Stores, bundle: Bundle) -> None:
    from faultmaven.errors import Conflict

    for line in bundle.lines("users"):
        record = line["record"]
        found = stores.users.get_by_username(record["username"])
        if found is not None and found.user_id != record["user_id"]:
            raise Conflict(f"bundle refused: username {record['username']!r} belongs to another user in the target; "
                           "nothing was imported", code="BUNDLE_USER_CLASH")
