"""The conversation turn (multipart, as the extension sends it), its polling, and the case's reports."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, StreamingResponse

from faultmaven.auth.service import Principal
from faultmaven.clock import iso, now
from faultmaven.container import Container
from faultmaven.copilot.inputs import TurnFile, TurnInput
from faultmaven.copilot.jobs import TurnOrder, failure, turn_work
from faultmaven.copilot.reports import RUNBOOK_DOCUMENT_TYPE, reports_for, runbook_draft
from faultmaven.errors import Conflict, DomainError
from faultmaven.evidence.multipart import read_form
from faultmaven.http.auth import ContainerDep, CurrentPrincipal
from faultmaven.http.case_access import ReadableCase, WritableCase
from faultmaven.http.logging import logger
from faultmaven.teams.service import CaseGrant
from functions.copilot.models import TurnResponse

router = APIRouter(tags=["copilot"])
CASE = "/api/v1/cases/{case_id}"


# The body is read by our streaming parser (limits enforced while reading), so its shape is declared here.
_TURN_FORM = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "properties": {
        "query": {"type": "string"}, "pasted_content": {"type": "string"},
        "files": {"type": "array", "maxItems": 1, "items": {"type": "string", "format": "binary"}},
        "intent_type": {"type": "string", "enum": ["conversation", "status_transition", "confirmation",
                                                   "hypothesis_action"]},
        "intent_data": {"type": "string", "description": "a JSON object, as text"},
        "input_type": {"type": "string", "enum": ["file", "page_capture", "paste"]},
        "source_url": {"type": "string"}}}}}}}


async def _read_turn(request: Request, container: Container) -> TurnInput:
    """The turn's form; the case was found (or refused) by the route's access check before the body is read."""
    limit = container.settings.max_file_bytes
    form = await read_form(request.headers.get("content-type"), request.headers.get("content-length"),
                           request.stream(), max_file_bytes=limit, max_files=1, max_field_bytes=limit)
    files = [f for f in form.files if f.filename or f.data]
    fields = form.fields
    return TurnInput(query=fields.get("query"), pasted_content=fields.get("pasted_content"),
                     file=TurnFile(filename=files[0].filename or "upload", data=files[0].data,
                                   content_type=files[0].content_type) if files else None,
                     intent_type=fields.get("intent_type"), intent_data=fields.get("intent_data"),
                     input_type=fields.get("input_type"), source_url=fields.get("source_url"))


def _order(grant: CaseGrant, turn: TurnInput, principal: Principal, container: Container, key: str | None
           ) -> TurnOrder:
    """On a shared case the turn is stored under the owner's key and attributed to the caller (their display name
    is read from the users table: off the event loop)."""
    return TurnOrder(principal, grant.case_id, grant.owner_id, container.team_service.display_name(principal.user_id),
                     turn, key)


def _window(container: Container, prefer: str | None) -> float:
    """How long the request waits for its turn: none when the client asks for 202 at once (RFC 7240)."""
    return 0.0 if prefer and "respond-async" in prefer.lower() else container.settings.turn_sync_seconds


def _accepted(case_id: str, job_id: str, status: str) -> JSONResponse:
    return JSONResponse({"status": status, "job_id": job_id}, status_code=202,
                        headers={"Location": f"/api/v1/cases/{case_id}/turns/jobs/{job_id}", "Retry-After": "2"})


async def _queued_turn(order: TurnOrder, container: Container, window: float) -> JSONResponse:
    """The cloud: the turn is queued for the worker function; this request watches its record for `window`."""
    queue, case_id = container.turn_jobs, order.case_id
    job_id = await run_in_threadpool(queue.submit, order)
    status, job = await queue.wait(order.principal.user_id, case_id, job_id, window)
    if status == 202:
        return _accepted(case_id, job_id, job["status"])
    if job["status"] == "failed":
        raise failure(job["error"])
    return JSONResponse(job["result"])


@router.post(f"{CASE}/turns", response_model=TurnResponse, openapi_extra=_TURN_FORM,
             responses={202: {"description": "still running (or `Prefer: respond-async`): poll the Location"}})
async def submit_turn(case_id: str, request: Request, principal: CurrentPrincipal, container: ContainerDep,
                      grant: WritableCase,
                      idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
                      prefer: Annotated[str | None, Header()] = None) -> JSONResponse:
    turn = await _read_turn(request, container)
    order = await run_in_threadpool(_order, grant, turn, principal, container, idempotency_key)
    window = _window(container, prefer)
    if not container.embedded:
        return await _queued_turn(order, container, window)
    job_id, job = container.turn_jobs.submit(principal.user_id, case_id,
                                             turn_work(container.idempotency, container.turns, order))
    future = asyncio.wrap_future(job)
    # asyncio.wait never cancels what it waits for: a turn still queued when the wait ends runs all the same.
    done, _ = await asyncio.wait({future}, timeout=window)
    if not done:
        return _accepted(case_id, job_id, container.turn_jobs.poll(principal.user_id, case_id, job_id)[1]["status"])
    return JSONResponse(future.result())  # a failed turn raises its error here, answered as its 4xx


def _sse(event: str, data: Any) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n".encode()


def _failure(error: BaseException) -> dict[str, Any]:
    if isinstance(error, DomainError):
        return {"detail": error.detail, "code": error.code, "status": error.status}
    logger.exception("streamed turn failed", exc_info=error)
    return {"detail": "the turn failed; please send it again", "code": "TURN_FAILED", "status": 500}


@router.post(f"{CASE}/turns/stream", openapi_extra=_TURN_FORM, response_class=StreamingResponse,
             responses={200: {"content": {"text/event-stream": {}},
                              "description": "events: stage, evidence, knowledge, then answer (or error)"}})
async def stream_turn(case_id: str, request: Request, principal: CurrentPrincipal, container: ContainerDep,
                      grant: WritableCase,
                      idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None
                      ) -> StreamingResponse:
    """The turn as server-sent events: its stages, the evidence analysed and the knowledge found as they happen,
    then `answer` (the same TurnResponse as the plain turn) or `error`. The turn runs to its end even if the
    client goes away."""
    turn = await _read_turn(request, container)
    order = await run_in_threadpool(_order, grant, turn, principal, container, idempotency_key)
    if not container.embedded:
        return _event_stream(_queued_events(order, container))
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()

    def emit(event: str, data: dict[str, Any]) -> None:
        loop.call_soon_threadsafe(queue.put_nowait, (event, data))

    job_id, job = container.turn_jobs.submit(principal.user_id, case_id,
                                             turn_work(container.idempotency, container.turns, order, emit))
    future = asyncio.wrap_future(job)

    async def events() -> AsyncIterator[bytes]:
        yield _sse("stage", {"stage": "queued", "job_id": job_id})
        while not future.done() or not queue.empty():
            getter = asyncio.ensure_future(queue.get())
            await asyncio.wait({getter, future}, return_when=asyncio.FIRST_COMPLETED)
            if getter.done():
                yield _sse(*getter.result())
            else:
                getter.cancel()
        error = future.exception()
        yield _sse("error", _failure(error)) if error else _sse("answer", future.result())

    return _event_stream(events())


async def _queued_events(order: TurnOrder, container: Container) -> AsyncIterator[bytes]:
    """The cloud's stream (API Gateway delivers it whole): queued, then the answer or error, or — when the turn
    outlasts `turn_sync_seconds` — a `stage` event `running` with the Location to poll."""
    queue, case_id = container.turn_jobs, order.case_id
    job_id = await run_in_threadpool(queue.submit, order)
    yield _sse("stage", {"stage": "queued", "job_id": job_id})
    status, job = await queue.wait(order.principal.user_id, case_id, job_id, container.settings.turn_sync_seconds)
    if status == 202:
        yield _sse("stage", {"stage": job["status"], "job_id": job_id,
                             "location": f"/api/v1/cases/{case_id}/turns/jobs/{job_id}"})
    elif job["status"] == "failed":
        yield _sse("error", _failure(failure(job["error"])))
    else:
        yield _sse("answer", job["result"])


def _event_stream(events: AsyncIterator[bytes]) -> StreamingResponse:
    return StreamingResponse(events, media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


@router.get(f"{CASE}/turns/jobs/{{job_id}}")
def poll_turn(case_id: str, job_id: str, principal: CurrentPrincipal, container: ContainerDep) -> JSONResponse:
    status, body = container.turn_jobs.poll(principal.user_id, case_id, job_id)
    return JSONResponse(body, status_code=status, headers={"Retry-After": "2"} if status == 202 else None)


@router.get(f"{CASE}/reports")
def list_reports(case_id: str, grant: ReadableCase, container: ContainerDep) -> dict[str, Any]:
    case = container.case_service.get(grant.owner_id, case_id)
    reports = reports_for(case, iso(now()))
    return {"case_id": case_id, "case_state": case.state.value, "reports": [r.model_dump() for r in reports],
            "runbook_drafts": [r.model_dump() for r in reports if r.report_type == "runbook_draft"]}


@router.post(f"{CASE}/reports")
def regenerate_reports(case_id: str, grant: ReadableCase, container: ContainerDep) -> dict[str, Any]:
    case = container.case_service.get(grant.owner_id, case_id)
    if not case.is_terminal:
        raise Conflict("reports are made when a case is resolved or closed", code="CASE_NOT_TERMINAL")
    return list_reports(case_id, grant, container)


@router.post(f"{CASE}/reports/runbook", status_code=201)
def save_runbook(case_id: str, principal: CurrentPrincipal, container: ContainerDep,
                 grant: ReadableCase) -> dict[str, Any]:
    """Save the case's runbook draft into the caller's knowledge base (personal scope)."""
    case = container.case_service.get(grant.owner_id, case_id)
    if not case.is_terminal:
        raise Conflict("a runbook is drafted once the case is resolved or closed", code="CASE_NOT_TERMINAL")
    from faultmaven.knowledge.documents import Upload  # only this route needs the knowledge base

    draft = runbook_draft(case, iso(now()))
    outcome = container.knowledge.upload(container.team_service.reader(principal), Upload(
        filename=f"runbook-{case_id}.md", data=draft.content.encode(), title=draft.title,
        document_type=RUNBOOK_DOCUMENT_TYPE, tags=["runbook", "from-case"], description=f"Drafted from case {case_id}",
        metadata={"case_id": case_id}))
    return {"document_id": outcome.document.document_id, "status": outcome.document.status,
            "duplicate_of": outcome.duplicate_of, "title": outcome.document.title}
