"""LLM providers behind `faultmaven.ports.llm`: OpenAI-compatible HTTP, Anthropic, Bedrock; retries, fallbacks, budget.

`build_llm(settings)` is the entry point; adapters and boto3 are imported only when a provider is configured.
"""

from faultmaven.llm.factory import build_llm

__all__ = ["build_llm"]
