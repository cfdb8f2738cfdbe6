"""`faultmaven kb`: add files to the embedded knowledge base, search it, list and delete documents.

The CLI opens the data dir directly (no server needed, and it may run beside one): it acts as a local user, by
default `cli`, created on first use without a usable password. Having the data dir is full trust, so `kb add` files
documents in the global scope by default, where every user and the copilot find them; `--scope personal --user NAME`
adds to one registered account's own knowledge base instead. Every add says which user and scope it used.
"""

from __future__ import annotations

import argparse
import secrets
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

DEFAULT_USER = "cli"
WAIT_SECONDS = 600.0
POLL_SECONDS = 0.2  # how often `kb add` reads a pending document's progress


def register(subparsers: argparse._SubParsersAction) -> None:
    kb = subparsers.add_parser("kb", help="manage the embedded knowledge base (add files, search)")
    commands = kb.add_subparsers(dest="kb_command", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--data-dir", type=Path, default=None, help="the embedded data dir (default .fm-data, "
                                                                      "or FM_DATA_DIR), as for `faultmaven serve`")
        p.add_argument("--user", default=DEFAULT_USER, help=f"act as this user (default {DEFAULT_USER!r})")

    add = commands.add_parser("add", help="add files or folders (recursively) and index them")
    add.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    add.add_argument("--type", dest="document_type", default="reference", help="document_type (default reference)")
    add.add_argument("--tags", default=None, help="comma-separated tags for every file")
    add.add_argument("--scope", choices=("personal", "team", "global"), default="global",
                     help="global (default): seen by every user and the copilot; team: --team-id's members; "
                          "personal: only --user")
    add.add_argument("--team-id", default=None, help="the team, with --scope team")
    common(add)
    add.set_defaults(func=run_add)

    search = commands.add_parser("search", help="search the knowledge base")
    search.add_argument("query")
    search.add_argument("-k", "--limit", type=int, default=5, help="how many results (default 5)")
    search.add_argument("--mode", choices=("hybrid", "bm25", "vector"), default="hybrid")
    common(search)
    search.set_defaults(func=run_search)

    reindex = commands.add_parser("reindex", help="re-embed every chunk with the configured embedding model "
                                                   "(after it changed); resumes a stopped re-index")
    common(reindex)
    reindex.set_defaults(func=run_reindex)

    listing = commands.add_parser("list", help="list the user's documents")
    common(listing)
    listing.set_defaults(func=run_list)

    delete = commands.add_parser("delete", help="delete documents by id")
    delete.add_argument("document_ids", nargs="+", metavar="DOCUMENT_ID")
    common(delete)
    delete.set_defaults(func=run_delete)


def _open(args: argparse.Namespace) -> tuple[Any, Any, str]:
    """The embedded container on the data dir, the acting user as a knowledge-base reader, and their username."""
    from faultmaven.auth.passwords import hash_password
    from faultmaven.auth.service import USERNAME_RE
    from faultmaven.clock import iso, new_id, now
    from faultmaven.container import Container
    from faultmaven.knowledge.documents import Reader
    from faultmaven.ports.users import UserRecord
    from faultmaven.settings import Settings

    overrides: dict[str, object] = {"mode": "embedded"}
    if args.data_dir:
        overrides["data_dir"] = args.data_dir
    container = Container(Settings(**overrides))
    username = args.user.strip().lower()
    if not USERNAME_RE.match(username):
        raise SystemExit(f"invalid --user {args.user!r}")
    user = container.users.get_by_username(username)
    if user is None:
        user = UserRecord(user_id=new_id("user_"), username=username, email=f"{username}@users.faultmaven.local",
                          display_name=username, password_hash=hash_password(secrets.token_urlsafe(32)),
                          created_at=iso(now()))
        container.users.create(user)
    teams = tuple(container.team_service.team_roles(user.user_id))
    return container, Reader(user.user_id, teams, is_admin=True), user.username


def collect_files(paths: list[Path]) -> tuple[list[Path], list[Path]]:
    """(files to add, files skipped for their type); folders are walked recursively, hidden entries skipped."""
    from faultmaven.knowledge.extract import FORMAT_BY_EXTENSION

    wanted: list[Path] = []
    skipped: list[Path] = []
    for path in paths:
        if path.is_dir():
            for found in sorted(p for p in path.rglob("*") if p.is_file()):
                if any(part.startswith(".") for part in found.relative_to(path).parts):
                    continue
                (wanted if found.suffix.lower() in FORMAT_BY_EXTENSION else skipped).append(found)
        elif path.is_file():
            (wanted if path.suffix.lower() in FORMAT_BY_EXTENSION else skipped).append(path)
        else:
            raise SystemExit(f"no such file or folder: {path}")
    return list(dict.fromkeys(wanted)), skipped


def run_add(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from faultmaven.errors import DomainError
    from faultmaven.knowledge.documents import Upload

    files, skipped = collect_files(args.paths)
    if args.scope == "team" and not args.team_id:
        raise SystemExit("--scope team needs --team-id")
    container, reader, username = _open(args)
    where = {"global": "the global scope (every user and the copilot see them)",
             "team": f"team {args.team_id!r}", "personal": f"the personal knowledge base of {username!r}"}[args.scope]
    print(f"adding {len(files)} file(s) as user {username!r} to {where}", flush=True)
    counts: Counter[str] = Counter()
    failures: list[tuple[Path, str]] = []
    with (tqdm(files, unit="file", desc="indexing", disable=not files) as bar,
          tqdm(total=0, unit="chunk", desc="embedding", disable=not files) as chunk_bar):
        for path in bar:
            bar.set_postfix_str(path.name[-40:])
            try:
                outcome = container.knowledge.upload(reader, Upload(
                    filename=path.name, data=path.read_bytes(), document_type=args.document_type,
                    tags=args.tags or [], scope=args.scope, team_id=args.team_id,
                    metadata={"source_path": str(path.resolve())}))
            except (DomainError, OSError) as exc:
                counts["failed"] += 1
                failures.append((path, getattr(exc, "detail", None) or str(exc)))
                continue
            doc = outcome.document if outcome.duplicate_of else _follow(container, outcome.document, chunk_bar)
            if outcome.duplicate_of:
                counts["duplicate"] += 1
            elif doc.status == "failed":
                counts["failed"] += 1
                failures.append((path, doc.error or "ingestion failed"))
            else:
                counts[doc.status] += 1
    print(f"indexed {counts['indexed']}, duplicate {counts['duplicate']}, failed {counts['failed']}"
          + (f", still pending {counts['pending']}" if counts["pending"] else "")
          + (f", skipped {len(skipped)} (unsupported type)" if skipped else ""))
    for path, reason in failures:
        print(f"  failed: {path}: {reason}", file=sys.stderr)
    return 1 if failures else 0


def _follow(container: Any, doc: Any, chunk_bar: Any) -> Any:
    """Wait (up to WAIT_SECONDS) for a document's ingestion, moving the chunk bar as its chunks are embedded."""
    done_before, total_before = chunk_bar.n, chunk_bar.total
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        chunk_bar.total = total_before + doc.chunk_count
        chunk_bar.update(done_before + doc.chunks_embedded - chunk_bar.n)
        if doc.status != "pending" or time.monotonic() > deadline:
            return doc
        time.sleep(POLL_SECONDS)
        current = container.documents.get(doc.document_id)
        if current is None:  # deleted meanwhile
            return doc
        doc = current


def run_search(args: argparse.Namespace) -> int:
    from faultmaven.errors import DomainError
    from faultmaven.knowledge.snippets import MARKDOWN_MARKS, Marks

    container, reader, _ = _open(args)
    marks = Marks("\x1b[1m", "\x1b[0m", escape_html=False) if sys.stdout.isatty() else MARKDOWN_MARKS
    try:
        results = container.knowledge.search(reader, args.query, limit=args.limit, mode=args.mode, marks=marks)
    except DomainError as exc:  # e.g. the index was built with another embedding model
        print(f"error: {exc.detail}", file=sys.stderr)
        return 1
    if not results:
        print("no results")
        return 0
    for rank, r in enumerate(results, 1):
        doc = r.document
        where = " > ".join([doc.metadata.get("source_path") or doc.filename, *r.heading_path])
        print(f"{rank}. {doc.title}  [{r.score:.2f} · {doc.scope} · {doc.document_id}]")
        print(f"   {where}")
        print(f"   {r.snippet}")
    return 0


def run_reindex(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    container, _, _ = _open(args)
    status = container.reindexer.status()
    if status.complete:
        print(f"nothing to re-index: {status.total} chunk(s) already use {status.target_model}")
        return 0
    print(f"re-indexing {status.total} chunk(s): {status.stored_model} -> {status.target_model}")
    with tqdm(total=status.total, initial=status.done, unit="chunk", desc="re-indexing") as bar:
        def progress(now: Any) -> None:
            bar.total = now.total
            bar.update(now.done - bar.n)

        status = container.reindexer.run(progress)
    print(f"re-indexed {status.total} chunk(s) with {status.target_model}")
    return 0


def run_list(args: argparse.Namespace) -> int:
    container, reader, _ = _open(args)
    offset = 0
    while True:
        page = container.knowledge.list(reader, only_own=True, limit=200, offset=offset)
        for doc in page.items:
            print(f"{doc.document_id}  {doc.status:8}  {doc.scope:8}  {doc.chunk_count:5} chunks  {doc.title}")
        offset += len(page.items)
        if not page.items or offset >= page.total:
            print(f"{page.total} document(s)")
            return 0


def run_delete(args: argparse.Namespace) -> int:
    container, reader, _ = _open(args)
    outcome = container.knowledge.bulk_delete(reader, args.document_ids)
    for document_id in outcome.deleted:
        print(f"deleted {document_id}")
    for document_id, detail, _ in outcome.failed:
        print(f"not deleted {document_id}: {detail}", file=sys.stderr)
    return 1 if outcome.failed else 0
