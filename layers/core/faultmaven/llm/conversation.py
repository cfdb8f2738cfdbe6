"""Shaping a message list for APIs that take the system prompt apart and need strictly alternating turns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from faultmaven.ports.llm import ChatMessage


@dataclass(frozen=True)
class Turn:
    role: Literal["user", "assistant"]
    content: str


def split_system(messages: list[ChatMessage]) -> tuple[str, list[Turn]]:
    """(joined system prompt, alternating user/assistant turns that start with a user turn).

    Anthropic Messages and Bedrock Converse reject consecutive turns of one role and a leading assistant turn, so
    neighbours of one role are merged and a leading assistant turn gets a short user turn before it.
    """
    system = "\n\n".join(m.content for m in messages if m.role == "system")
    turns: list[Turn] = []
    for m in messages:
        if m.role == "system":
            continue
        if turns and turns[-1].role == m.role:
            turns[-1] = Turn(m.role, f"{turns[-1].content}\n\n{m.content}")
        else:
            turns.append(Turn(m.role, m.content))
    if not turns:  # only system text: send it as the user's request
        return "", [Turn("user", system)]
    if turns[0].role == "assistant":
        turns.insert(0, Turn("user", "Continue."))
    return system, turns
