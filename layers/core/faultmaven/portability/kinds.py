"""The entity kinds a bundle carries, each read and written through the storage ports (never SQL), so every adapter
family exports and imports the same way and a new kind plugs in by adding one entry to `KINDS`.

A kind walks the source's records (users first; later kinds walk from the users and cases already walked), names
the blobs each record needs, may carry extra data beside a record (a document's chunks and vectors), and loads one
record into a target without duplicating it: a record already there is left alone (or, for a case, replaced by the
bundle's version), so importing twice writes nothing the second time.

Organizations, teams, their members, case shares and the audit trail travel too (walked from the users' memberships:
a team nobody belongs to any more is left behind). Not exported, because they are short-lived or rebuilt: refresh
tokens, invitations (to sign up or to a team), sign-in throttles, idempotency records, jobs, turn leases and daily
title counters.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
from pydantic import BaseModel, model_validator

from faultmaven.cases.model import Case, CaseMessage
from faultmaven.clock import now_epoch
from faultmaven.copilot.vault import map_key
from faultmaven.errors import Conflict
from faultmaven.knowledge.ingestion import raw_key, text_key
from faultmaven.ports.cases import CaseQuery
from faultmaven.ports.documents import DocumentQuery, DocumentRecord, Visibility
from faultmaven.ports.evidence import EvidenceRecord
from faultmaven.ports.sessions import SessionRecord
from faultmaven.ports.users import UserRecord
from faultmaven.ports.vector_index import Chunk, EmbeddingSpaceMismatch, VectorExport
from faultmaven.teams.model import AuditEvent, CaseShare, Membership, Organization, OrgMember, Team

PAGE = 200
SEALED = "application/octet-stream"
TEXT = "text/plain; charset=utf-8"


class Stores(Protocol):
    """What a kind reads and writes: the container's ports (any adapter family)."""

    users: Any
    sessions: Any
    cases: Any
    evidence_files: Any
    documents: Any
    blobs: Any
    ingestor: Any
    embedder: Any
    vector_index: Any
    team_repo: Any
    audit_log: Any


@dataclass(frozen=True)
class BlobRef:
    key: str
    content_type: str
    required: bool = True  # False: copied when present (a case without a placeholder map has no map blob)


@dataclass(frozen=True)
class Item:
    record: BaseModel
    blobs: tuple[BlobRef, ...] = ()


def _no_files() -> None:
    return None


@dataclass
class LoadContext:
    """State of one import: what was learnt so far (message ids per case), and what was re-indexed.

    `write_files` writes the files of the record being loaded; a loader calls it just before it writes the record,
    so a record never names a missing file and a record that is skipped brings no file."""

    write_files: Callable[[], None] = _no_files
    extra: dict[str, Any] | None = None  # the line's extra data of the record being loaded (a document's vectors)
    seen: dict[Any, set[str]] = field(default_factory=dict)
    live_cases: dict[tuple[str, str], bool] = field(default_factory=dict)
    reindexed: int = 0
    vectors_reused: int = 0
    reindex_failed: list[str] = field(default_factory=list)

    def case_is_live(self, s: Stores, user_id: str, case_id: str) -> bool:
        """Whether the target holds the case (messages and files of a case deleted there are not brought back)."""
        key = (user_id, case_id)
        if key not in self.live_cases:
            self.live_cases[key] = s.cases.get(user_id, case_id) is not None
        return self.live_cases[key]


Walked = Mapping[str, list[BaseModel]]


@dataclass(frozen=True)
class EntityKind:
    name: str
    model: type[BaseModel]
    walk: Callable[[Stores, Walked], Iterator[Item]]
    load: Callable[[Stores, BaseModel, LoadContext], bool]  # True when something was written
    keep: bool = False  # later kinds walk from these records, so they are kept in memory while exporting
    # Export only: data to carry beside a record (not part of the walk, which backup uses too), and its model.
    carry: Callable[[Stores, Any], BaseModel | None] | None = None
    carry_model: type[BaseModel] | None = None


def _pages(fetch: Callable[[int, int], tuple[list[Any], int]]) -> Iterator[Any]:
    offset = 0
    while True:
        items, total = fetch(PAGE, offset)
        yield from items
        offset += len(items)
        if not items or offset >= total:
            return


# users ---------------------------------------------------------------------------------------------------------

def _walk_users(s: Stores, _: Walked) -> Iterator[Item]:
    yield from (Item(user) for user in s.users.all())


def _load_user(s: Stores, user: UserRecord, ctx: LoadContext) -> bool:
    if s.users.get(user.user_id) is not None:
        return False
    ctx.write_files()
    s.users.create(user)
    return True


# sessions (the live ones; an expired session is gone everywhere anyway) --------------------------------------------

def _walk_sessions(s: Stores, walked: Walked) -> Iterator[Item]:
    at = now_epoch()
    for user in walked["users"]:
        yield from (Item(session) for session in _pages(
            lambda limit, offset, uid=user.user_id: s.sessions.list(uid, None, at, limit, offset)))


def _load_session(s: Stores, session: SessionRecord, ctx: LoadContext) -> bool:
    if s.sessions.get(session.user_id, session.session_id, now_epoch()) is not None:
        return False
    ctx.write_files()
    s.sessions.put(session)
    return True


# cases (with their hypotheses, timeline and sealed placeholder map) -------------------------------------------------

def _walk_cases(s: Stores, walked: Walked) -> Iterator[Item]:
    for user in walked["users"]:
        for case in _pages(lambda limit, offset, uid=user.user_id: s.cases.list(uid, CaseQuery(limit=limit,
                                                                                                offset=offset))):
            yield Item(case, (BlobRef(map_key(case.user_id, case.case_id), SEALED, required=False),))


def _load_case(s: Stores, case: Case, ctx: LoadContext) -> bool:
    current = s.cases.get(case.user_id, case.case_id)
    if current == case:
        return False
    ctx.write_files()
    if current is None:
        try:
            s.cases.create(case)
        except Conflict:  # deleted in the target since an earlier import: it stays deleted, and so does its map
            s.blobs.delete(map_key(case.user_id, case.case_id))
            return False
        return True
    s.cases.save(case, expected_version=current.version)  # the bundle's version of the case wins
    return True


def _case_records(walked: Walked) -> Iterator[Case]:
    yield from walked["cases"]  # type: ignore[misc]


def _walk_messages(s: Stores, walked: Walked) -> Iterator[Item]:
    for case in _case_records(walked):
        yield from (Item(m) for m in _pages(
            lambda limit, offset, c=case: s.cases.messages(c.user_id, c.case_id, limit, offset)))


def _load_message(s: Stores, message: CaseMessage, ctx: LoadContext) -> bool:
    key = (message.user_id, message.case_id)
    if not ctx.case_is_live(s, *key):
        return False
    if key not in ctx.seen:
        ctx.seen[key] = {m.message_id for m in _pages(
            lambda limit, offset: s.cases.messages(message.user_id, message.case_id, limit, offset))}
    if message.message_id in ctx.seen[key]:
        return False
    ctx.write_files()
    s.cases.append_message(message)
    ctx.seen[key].add(message.message_id)
    return True


# evidence (records and their files) -------------------------------------------------------------------------------

def _walk_evidence(s: Stores, walked: Walked) -> Iterator[Item]:
    for case in _case_records(walked):
        for record in s.evidence_files.list_for_case(case.user_id, case.case_id):
            yield Item(record, (BlobRef(record.blob_key, record.content_type),))


def _load_evidence(s: Stores, record: EvidenceRecord, ctx: LoadContext) -> bool:
    if not ctx.case_is_live(s, record.owner_id, record.case_id):
        return False
    if s.evidence_files.get(record.owner_id, record.case_id, record.file_id) is not None:
        return False
    ctx.write_files()
    try:
        s.evidence_files.create(record)
    except Conflict:  # the same content is already in the case under another file id: nothing is lost
        s.blobs.delete(record.blob_key)  # this file id's own copy, named by no record
        return False
    return True


# knowledge-base documents (records, uploaded bytes, extracted text; chunks are rebuilt) ----------------------------

def _walk_documents(s: Stores, walked: Walked) -> Iterator[Item]:
    for user in walked["users"]:
        visibility = Visibility(owner_id=user.user_id, only_own=True)
        for doc in _pages(lambda limit, offset, v=visibility: _document_page(s, v, limit, offset)):
            yield Item(doc, (BlobRef(raw_key(doc.document_id), doc.content_type),
                             BlobRef(text_key(doc.document_id), TEXT, required=False)))


def _document_page(s: Stores, visibility: Visibility, limit: int, offset: int) -> tuple[list[DocumentRecord], int]:
    page = s.documents.list(DocumentQuery(visibility=visibility, limit=limit, offset=offset))
    return page.items, page.total


class DocumentIndex(BaseModel):
    """A document's chunks and their vectors (float32, base64), as the source's index held them."""

    model_id: str
    dim: int
    chunks: list[Chunk]
    vectors: str

    @model_validator(mode="after")
    def _one_vector_per_chunk(self) -> DocumentIndex:
        if len(base64.b64decode(self.vectors, validate=True)) != len(self.chunks) * self.dim * 4:
            raise ValueError("the vectors do not match the chunks")
        return self

    def matrix(self) -> np.ndarray:
        return np.frombuffer(base64.b64decode(self.vectors), np.float32).reshape(len(self.chunks), self.dim)


def _document_index(s: Stores, doc: DocumentRecord) -> DocumentIndex | None:
    index = s.vector_index
    if doc.status != "indexed" or not isinstance(index, VectorExport):
        return None
    try:
        chunks, matrix = index.document_vectors(doc.owner_id, doc.document_id)
    except EmbeddingSpaceMismatch:  # the index holds another model's vectors: the import re-embeds the document
        return None
    if not chunks:
        return None
    return DocumentIndex(model_id=index.space.model_id, dim=index.space.dim, chunks=chunks,
                         vectors=base64.b64encode(np.ascontiguousarray(matrix, np.float32).tobytes()).decode())


def _load_document(s: Stores, doc: DocumentRecord, ctx: LoadContext) -> bool:
    """Create the record and its index entries: the exported vectors when the target's index is of the same model,
    else the document's file indexed again with the target's embedder (then the exported record is put back, since
    indexing stamps it anew)."""
    if s.documents.get(doc.document_id) is not None:
        return False
    ctx.write_files()
    if doc.status == "failed":
        s.documents.create(doc)
        return True
    exported = DocumentIndex.model_validate(ctx.extra) if ctx.extra else None
    space = s.vector_index.space
    if exported is not None and (exported.model_id, exported.dim) == (space.model_id, space.dim):
        s.vector_index.upsert(exported.chunks, exported.matrix())
        s.documents.create(doc)
        ctx.vectors_reused += 1
        return True
    s.documents.create(doc.model_copy(update={"status": "pending"}))
    indexed = s.ingestor.ingest(doc.document_id)
    if indexed is None or indexed.status != "indexed":
        ctx.reindex_failed.append(doc.document_id)
        return True
    ctx.reindexed += 1
    s.documents.update_metadata(doc)
    s.documents.set_status(doc.document_id, doc.status, error=doc.error, chunk_count=doc.chunk_count,
                           preview=doc.preview, updated_at=doc.updated_at, title=doc.title)
    return True


# organizations and teams (walked from the users' memberships), members, case shares, the audit trail ---------------

AUDIT_ALL = 2**31 - 1  # the whole trail of a team


def _found(ids: Iterable[str], get: Callable[[str], BaseModel | None]) -> Iterator[Item]:
    """The record of each id `get` finds, once (many members name the same team or organization)."""
    yield from (Item(record) for i in dict.fromkeys(ids) if (record := get(i)) is not None)


def _walk_orgs(s: Stores, walked: Walked) -> Iterator[Item]:
    users = walked["users"]
    return _found((m.org_id for u in users for m in s.team_repo.org_memberships(u.user_id)), s.team_repo.get_org)


def _load_org(s: Stores, org: Organization, ctx: LoadContext) -> bool:
    if s.team_repo.get_org(org.org_id) is not None:
        return False
    ctx.write_files()
    return bool(s.team_repo.put_org(org))


def _walk_org_members(s: Stores, walked: Walked) -> Iterator[Item]:
    for user in walked["users"]:
        yield from (Item(m) for m in s.team_repo.org_memberships(user.user_id))


def _load_org_member(s: Stores, member: OrgMember, ctx: LoadContext) -> bool:
    if any(m.org_id == member.org_id for m in s.team_repo.org_memberships(member.user_id)):
        return False
    ctx.write_files()
    s.team_repo.put_org_member(member)
    return True


def _walk_teams(s: Stores, walked: Walked) -> Iterator[Item]:
    users = walked["users"]
    return _found((m.team_id for u in users for m in s.team_repo.memberships(u.user_id)), s.team_repo.get_team)


def _load_team(s: Stores, team: Team, ctx: LoadContext) -> bool:
    if s.team_repo.get_team(team.team_id) is not None:
        return False
    ctx.write_files()
    try:
        s.team_repo.create_team(team)
    except Conflict:  # the target's organization has another team of that name: it is not overwritten
        return False
    return True


def _team_records(walked: Walked) -> Iterator[Team]:
    yield from walked["teams"]  # type: ignore[misc]


def _walk_team_members(s: Stores, walked: Walked) -> Iterator[Item]:
    for team in _team_records(walked):
        yield from (Item(m) for m in s.team_repo.members(team.team_id))


def _load_team_member(s: Stores, member: Membership, ctx: LoadContext) -> bool:
    if s.team_repo.get_team(member.team_id) is None or s.team_repo.get_member(member.team_id, member.user_id):
        return False
    ctx.write_files()
    s.team_repo.put_member(member)
    return True


def _walk_shares(s: Stores, walked: Walked) -> Iterator[Item]:
    for team in _team_records(walked):
        yield from (Item(share) for share in s.team_repo.team_shares(team.team_id))


def _load_share(s: Stores, share: CaseShare, ctx: LoadContext) -> bool:
    if not ctx.case_is_live(s, share.owner_id, share.case_id) or s.team_repo.get_team(share.team_id) is None:
        return False
    if any(x.team_id == share.team_id for x in s.team_repo.case_shares(share.case_id)):
        return False
    ctx.write_files()
    s.team_repo.put_share(share)
    return True


def _walk_audit(s: Stores, walked: Walked) -> Iterator[Item]:
    for team in _team_records(walked):
        yield from (Item(event) for event in reversed(s.audit_log.for_team(team.team_id, AUDIT_ALL)))


def _load_audit_event(s: Stores, event: AuditEvent, ctx: LoadContext) -> bool:
    key = ("audit", event.team_id)
    if key not in ctx.seen and s.team_repo.get_team(event.team_id) is None:
        return False  # the team was left out (its name taken in the target): so is its trail
    if key not in ctx.seen:
        ctx.seen[key] = {e.event_id for e in s.audit_log.for_team(event.team_id, AUDIT_ALL)}
    if event.event_id in ctx.seen[key]:
        return False
    ctx.write_files()
    s.audit_log.append(event)
    ctx.seen[key].add(event.event_id)
    return True


KINDS: tuple[EntityKind, ...] = (
    EntityKind("users", UserRecord, _walk_users, _load_user, keep=True),
    EntityKind("sessions", SessionRecord, _walk_sessions, _load_session),
    EntityKind("cases", Case, _walk_cases, _load_case, keep=True),
    EntityKind("messages", CaseMessage, _walk_messages, _load_message),
    EntityKind("evidence", EvidenceRecord, _walk_evidence, _load_evidence),
    EntityKind("documents", DocumentRecord, _walk_documents, _load_document, carry=_document_index,
               carry_model=DocumentIndex),
    EntityKind("orgs", Organization, _walk_orgs, _load_org),
    EntityKind("org_members", OrgMember, _walk_org_members, _load_org_member),
    EntityKind("teams", Team, _walk_teams, _load_team, keep=True),
    EntityKind("team_members", Membership, _walk_team_members, _load_team_member),
    EntityKind("case_shares", CaseShare, _walk_shares, _load_share),
    EntityKind("audit", AuditEvent, _walk_audit, _load_audit_event),
)


def walk_kinds(stores: Stores) -> Iterator[tuple[EntityKind, Iterator[Item]]]:
    """Each kind with its items, in order; read each kind's items to the end before the next kind (later kinds walk
    from the users and cases kept on the way)."""
    walked: dict[str, list[BaseModel]] = {}
    for kind in KINDS:
        kept: list[BaseModel] = []

        def items(kind: EntityKind = kind, kept: list[BaseModel] = kept) -> Iterator[Item]:
            for item in kind.walk(stores, walked):
                if kind.keep:
                    kept.append(item.record)
                yield item

        yield kind, items()
        walked[kind.name] = kept
