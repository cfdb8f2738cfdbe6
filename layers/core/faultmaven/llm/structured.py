"""JSON output: asking for it, pulling the object out of a reply, and checking it against a schema."""

from __future__ import annotations

import json
import re
from typing import Any

from faultmaven.ports.llm import ChatMessage

# The tool name providers with tool use (Anthropic, Bedrock) are forced to call to return structured data.
SCHEMA_TOOL_NAME = "respond"
SCHEMA_TOOL_DESCRIPTION = "Return the answer as structured data matching the input schema."

_FENCE = re.compile(r"^```(?:json)?\s*(.*?)\s*```$", re.DOTALL | re.IGNORECASE)


def schema_instruction(schema: dict[str, Any]) -> str:
    return ("Reply with one JSON object only (no prose, no code fences) that matches this JSON Schema:\n"
            + json.dumps(schema, separators=(",", ":")))


def with_system_note(messages: list[ChatMessage], note: str) -> list[ChatMessage]:
    """Append `note` to the first system message, or put it first as a new system message."""
    for i, message in enumerate(messages):
        if message.role == "system":
            merged = ChatMessage(role="system", content=f"{message.content}\n\n{note}")
            return [*messages[:i], merged, *messages[i + 1:]]
    return [ChatMessage(role="system", content=note), *messages]


def extract_json(text: str) -> dict[str, Any] | None:
    """The JSON object in a reply: the whole text, a fenced block, or the outermost {...}; None if there is none."""
    candidate = text.strip()
    fenced = _FENCE.match(candidate)
    if fenced:
        candidate = fenced.group(1)
    for attempt in (candidate, candidate[candidate.find("{"): candidate.rfind("}") + 1]):
        try:
            value = json.loads(attempt)
        except ValueError:
            continue
        if isinstance(value, dict):
            return value
    return None


def schema_violation(value: dict[str, Any] | None, schema: dict[str, Any]) -> tuple[str, str] | None:
    """None when `value` satisfies `schema`; else (detail for the model, value-free summary for errors and logs)."""
    from jsonschema import validators  # lazy: ~50 ms of import only for turns that ask for JSON
    from jsonschema.exceptions import best_match

    if value is None:
        return "The reply was not a JSON object.", "reply is not a JSON object"
    validator_cls = validators.validator_for(schema)
    error = best_match(validator_cls(schema).iter_errors(value))
    if error is None:
        return None
    where = "/" + "/".join(str(p) for p in error.absolute_path)
    # The summary names the failed keyword and location but not the offending value (model output may be sensitive).
    return f"At {where}: {error.message}", f"at {where}: violates '{error.validator}'"
