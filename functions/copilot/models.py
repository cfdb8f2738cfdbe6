"""The turn's response shape (field names and required fields from the clients' contract)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from faultmaven.http.api_model import ApiModel
from functions.cases.models import ProgressTransparency


class SuggestedActionResponse(ApiModel):
    label: str
    type: str
    payload: str | None = None


class SourceResponse(ApiModel):
    type: str  # knowledge_base | log_file | ...
    content: str
    confidence: float | None = None
    metadata: dict[str, Any] | None = None


class AttachmentResult(ApiModel):
    file_id: str
    filename: str
    file_size: int
    processing_status: str
    source_type: str
    upload_source: str = "file_upload"
    uploaded_at: str = ""
    duplicate_of: str | None = None
    duplicate_turn: int | None = None


class TurnResponse(ApiModel):
    agent_response: str
    turn_number: int
    case_state: str
    milestones_completed: list[str] = Field(default_factory=list)
    progress_made: bool
    attachments_processed: list[AttachmentResult] = Field(default_factory=list)
    suggested_actions: list[SuggestedActionResponse] = Field(default_factory=list)
    sources: list[SourceResponse] = Field(default_factory=list)
    progress_transparency: ProgressTransparency | None = None
    investigation_turn: int | None = None
    # Ours: what the sanitizer hid this turn (counts per label, never values), and whether a model wrote the text.
    redactions: dict[str, int] = Field(default_factory=dict)
    llm_used: bool = False
