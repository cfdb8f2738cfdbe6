"""Token budget: estimate prompt size without a tokenizer, and trim a conversation to fit a model's context.

The estimate counts pieces the way BPE tokenizers split text: a word costs about one token per four letters, a
digit run one per three (numbers, ids and timestamps split finely), each punctuation mark and each non-ASCII
character one. It errs high on purpose, so a trimmed prompt fits the real context.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

from faultmaven.ports.llm import ChatMessage, LLMError, LLMRequest

MESSAGE_OVERHEAD_TOKENS = 4  # role markers and separators that chat templates add per message
SAFETY_MARGIN_TOKENS = 64
MIN_PROMPT_TOKENS = 256

_PIECES = re.compile(r"[A-Za-z]+|[0-9]+|[^\sA-Za-z0-9]")

Summariser = Callable[[list[ChatMessage]], str]


def estimate_tokens(text: str) -> int:
    tokens = 0
    for piece in _PIECES.findall(text):
        if piece[0].isdigit():
            tokens += math.ceil(len(piece) / 3)
        elif piece[0].isascii() and piece[0].isalpha():
            tokens += math.ceil(len(piece) / 4)
        else:
            tokens += 1
    return tokens


def messages_tokens(messages: list[ChatMessage]) -> int:
    return sum(estimate_tokens(m.content) + MESSAGE_OVERHEAD_TOKENS for m in messages)


def truncate_to_tokens(text: str, max_tokens: int) -> str:
    """`text` itself if it fits, else its head and tail around a marker saying how much was left out."""
    if estimate_tokens(text) <= max_tokens:
        return text
    lo, hi = 0, len(text)  # the most characters whose head+tail still fits
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if estimate_tokens(_cut(text, mid)) <= max_tokens:
            lo = mid
        else:
            hi = mid - 1
    return _cut(text, lo)


def _cut(text: str, keep: int) -> str:
    # Two thirds from the start (the question, headers) and one third from the end (the latest lines).
    head = keep * 2 // 3
    tail = keep - head
    return f"{text[:head]}\n…[{len(text) - keep} characters omitted]…\n{text[len(text) - tail:] if tail else ''}"


def fit_messages(messages: list[ChatMessage], budget_tokens: int, *,
                 summarise: Summariser | None = None) -> list[ChatMessage]:
    """Trim a conversation to `budget_tokens`.

    System messages and the last message are kept (shortened in the middle if they alone are too long); then the
    newest other messages that fit, in order. Older ones are replaced by one system note: `summarise(dropped)` when
    given, else a count of what was left out.
    """
    if messages_tokens(messages) <= budget_tokens:
        return list(messages)
    pinned = {i for i, m in enumerate(messages) if m.role == "system"} | {len(messages) - 1}
    note_reserve = 64 if summarise is None else max(64, budget_tokens // 8)
    kept = {i: m for i, m in enumerate(messages) if i in pinned}
    _shrink_to(kept, budget_tokens - note_reserve)

    room = budget_tokens - note_reserve - messages_tokens(list(kept.values()))
    dropped: list[ChatMessage] = []
    for i in sorted((i for i in range(len(messages)) if i not in pinned), reverse=True):
        cost = estimate_tokens(messages[i].content) + MESSAGE_OVERHEAD_TOKENS
        if not dropped and cost <= room:
            kept[i] = messages[i]
            room -= cost
        else:
            dropped.insert(0, messages[i])
    ordered = [kept[i] for i in sorted(kept)]
    if not dropped:
        return ordered
    summary = summarise(dropped) if summarise else f"{len(dropped)} earlier messages were left out to fit the context."
    note = ChatMessage(role="system", content=truncate_to_tokens(
        f"Earlier conversation (condensed): {summary}", note_reserve - MESSAGE_OVERHEAD_TOKENS))
    first_turn = next((k for k, m in enumerate(ordered) if m.role != "system"), len(ordered))
    return [*ordered[:first_turn], note, *ordered[first_turn:]]


def _shrink_to(kept: dict[int, ChatMessage], budget: int) -> None:
    """Shorten the longest kept messages until they fit `budget` together."""
    for _ in range(len(kept)):
        over = messages_tokens(list(kept.values())) - budget
        if over <= 0:
            return
        i = max(kept, key=lambda k: estimate_tokens(kept[k].content))
        target = max(estimate_tokens(kept[i].content) - over, 16)
        kept[i] = ChatMessage(role=kept[i].role, content=truncate_to_tokens(kept[i].content, target))


def fit_request(request: LLMRequest, context_tokens: int, *, summarise: Summariser | None = None) -> LLMRequest:
    """The request with its messages trimmed so prompt + schema + reserved output fit `context_tokens`."""
    schema_tokens = estimate_tokens(str(request.json_schema)) if request.json_schema else 0
    budget = context_tokens - request.max_tokens - schema_tokens - SAFETY_MARGIN_TOKENS
    if budget < MIN_PROMPT_TOKENS:
        raise LLMError(f"max_tokens={request.max_tokens} leaves no room for the prompt in a "
                       f"{context_tokens}-token context")
    if messages_tokens(request.messages) <= budget:
        return request
    return request.model_copy(update={"messages": fit_messages(request.messages, budget, summarise=summarise)})
