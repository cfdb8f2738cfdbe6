"""The conversation turn (multipart, as the extension sends it), its polling, and the case's reports."""

from __future__ import annotations

from concurrent.futures import TimeoutError as FutureTimeout
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Header, UploadFile
from fastapi.responses import JSONResponse

from faultmaven.clock import iso, now
from faultmaven.copilot.reports import RUNBOOK_DOCUMENT_TYPE, reports_for, runbook_draft
from faultmaven.copilot.turns import TurnFile, TurnInput
from faultmaven.errors import Conflict, InvalidInput
from faultmaven.evidence.inspection import read_limited
from faultmaven.http.auth import ContainerDep, CurrentPrincipal
from faultmaven.knowledge.documents import Reader, Upload
from functions.copilot.models import TurnResponse

router = APIRouter(tags=["copilot"])
CASE = "/api/v1/cases/{case_id}"


@router.post(f"{CASE}/turns", response_model=TurnResponse,
             responses={202: {"description": "still running: poll the Location"}})
def submit_turn(case_id: str, principal: CurrentPrincipal, container: ContainerDep,
                query: Annotated[str | None, Form()] = None,
                pasted_content: Annotated[str | None, Form()] = None,
                files: Annotated[list[UploadFile] | None, File()] = None,
                intent_type: Annotated[str | None, Form()] = None,
                intent_data: Annotated[str | None, Form()] = None,
                input_type: Annotated[str | None, Form()] = None,
                source_url: Annotated[str | None, Form(max_length=2048)] = None,
                idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None) -> JSONResponse:
    files = [f for f in files or [] if f.filename or f.size]
    if len(files) > 1:
        raise InvalidInput("at most one file per turn; send each further file in its own turn",
                           code="TOO_MANY_FILES")
    container.case_service.get(principal.user_id, case_id)  # 404 before reading a large body
    turn_file = None
    if files:
        upload = files[0]
        turn_file = TurnFile(filename=upload.filename or "upload", content_type=upload.content_type,
                             data=read_limited(upload.file, container.settings.max_file_bytes))
    turn = TurnInput(query=query, pasted_content=pasted_content, file=turn_file, intent_type=intent_type,
                     intent_data=intent_data, input_type=input_type, source_url=source_url)

    def work() -> dict[str, Any]:
        outcome = container.idempotency.run("cases.turn", principal.user_id, idempotency_key,
                                            {"case_id": case_id, **turn.fingerprint()},
                                            lambda: (200, container.turns.run(principal, case_id, turn)))
        return outcome.body

    if not container.embedded:
        return JSONResponse(work())
    job_id, future = container.turn_jobs.submit(principal.user_id, case_id, work)
    try:
        return JSONResponse(future.result(timeout=container.settings.turn_sync_seconds))
    except FutureTimeout:
        location = f"/api/v1/cases/{case_id}/turns/jobs/{job_id}"
        return JSONResponse({"status": "processing", "job_id": job_id}, status_code=202,
                            headers={"Location": location, "Retry-After": "2"})


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
    draft = runbook_draft(case, iso(now()))
    outcome = container.knowledge.upload(Reader.of(principal), Upload(
        filename=f"runbook-{case_id}.md", data=draft.content.encode(), title=draft.title,
        document_type=RUNBOOK_DOCUMENT_TYPE, tags=["runbook", "from-case"], description=f"Drafted from case {case_id}",
        metadata={"case_id": case_id}))
    return {"document_id": outcome.document.document_id, "status": outcome.document.status,
            "duplicate_of": outcome.duplicate_of, "title": outcome.document.title}
