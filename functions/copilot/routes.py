"""The conversation turn (multipart, as the extension sends it), its polling, and the case's reports."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from faultmaven.clock import iso, now
from faultmaven.copilot.inputs import TurnFile, TurnInput
from faultmaven.copilot.reports import RUNBOOK_DOCUMENT_TYPE, reports_for, runbook_draft
from faultmaven.errors import Conflict
from faultmaven.evidence.multipart import read_form
from faultmaven.http.auth import ContainerDep, CurrentPrincipal
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


@router.post(f"{CASE}/turns", response_model=TurnResponse, openapi_extra=_TURN_FORM,
             responses={202: {"description": "still running: poll the Location"}})
async def submit_turn(case_id: Annotated[str, Path(max_length=128)], request: Request, principal: CurrentPrincipal,
                      container: ContainerDep,
                      idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=255)] = None
                      ) -> JSONResponse:
    await run_in_threadpool(container.case_service.get, principal.user_id, case_id)  # 404 before the body
    limit = container.settings.max_file_bytes
    form = await read_form(request.headers.get("content-type"), request.headers.get("content-length"),
                                request.stream(), max_file_bytes=limit, max_files=1, max_field_bytes=limit)
    files = [f for f in form.files if f.filename or f.data]
    fields = form.fields
    turn = TurnInput(query=fields.get("query"), pasted_content=fields.get("pasted_content"),
                     file=TurnFile(filename=files[0].filename or "upload", data=files[0].data,
                                   content_type=files[0].content_type) if files else None,
                     intent_type=fields.get("intent_type"), intent_data=fields.get("intent_data"),
                     input_type=fields.get("input_type"), source_url=fields.get("source_url"))

    def work() -> dict[str, Any]:
        outcome = container.idempotency.run("cases.turn", principal.user_id, idempotency_key,
                                            {"case_id": case_id, **turn.fingerprint()},
                                            lambda: (200, container.turns.run(principal, case_id, turn)))
        return outcome.body

    if not container.embedded:
        return JSONResponse(await run_in_threadpool(work))
    job_id, future = container.turn_jobs.submit(principal.user_id, case_id, work)
    try:
        body = await asyncio.wait_for(asyncio.wrap_future(future), timeout=container.settings.turn_sync_seconds)
    except TimeoutError:
        location = f"/api/v1/cases/{case_id}/turns/jobs/{job_id}"
        return JSONResponse({"status": "processing", "job_id": job_id}, status_code=202,
                            headers={"Location": location, "Retry-After": "2"})
    return JSONResponse(body)


@router.get(f"{CASE}/turns/jobs/{{job_id}}")
def poll_turn(case_id: str, job_id: str, principal: CurrentPrincipal, container: ContainerDep) -> JSONResponse:
    status, body = container.turn_jobs.poll(principal.user_id, case_id, job_id)
    return JSONResponse(body, status_code=status, headers={"Retry-After": "2"} if status == 202 else None)


@router.get(f"{CASE}/reports")
def list_reports(case_id: str, principal: CurrentPrincipal, container: ContainerDep) -> dict[str, Any]:
    case = container.case_service.get(principal.user_id, case_id)
    reports = reports_for(case, iso(now()))
    return {"case_id": case_id, "case_state": case.state.value, "reports": [r.model_dump() for r in reports],
            "runbook_drafts": [r.model_dump() for r in reports if r.report_type == "runbook_draft"]}


@router.post(f"{CASE}/reports")
def regenerate_reports(case_id: str, principal: CurrentPrincipal, container: ContainerDep) -> dict[str, Any]:
    case = container.case_service.get(principal.user_id, case_id)
    if not case.is_terminal:
        raise Conflict("reports are made when a case is resolved or closed", code="CASE_NOT_TERMINAL")
    return list_reports(case_id, principal, container)


@router.post(f"{CASE}/reports/runbook", status_code=201)
def save_runbook(case_id: str, principal: CurrentPrincipal, container: ContainerDep) -> dict[str, Any]:
    """Save the case's runbook draft into the caller's knowledge base (personal scope)."""
    case = container.case_service.get(principal.user_id, case_id)
    if not case.is_terminal:
        raise Conflict("a runbook is drafted once the case is resolved or closed", code="CASE_NOT_TERMINAL")
    from faultmaven.knowledge.documents import Reader, Upload  # only this route needs the knowledge base

    draft = runbook_draft(case, iso(now()))
    outcome = container.knowledge.upload(Reader.of(principal), Upload(
        filename=f"runbook-{case_id}.md", data=draft.content.encode(), title=draft.title,
        document_type=RUNBOOK_DOCUMENT_TYPE, tags=["runbook", "from-case"], description=f"Drafted from case {case_id}",
        metadata={"case_id": case_id}))
    return {"document_id": outcome.document.document_id, "status": outcome.document.status,
            "duplicate_of": outcome.duplicate_of, "title": outcome.document.title}
