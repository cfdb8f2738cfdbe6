"""Privacy sanitizer: secrets and personal data become `{{REDACTED:label}}` placeholders before any LLM call."""

from faultmaven.sanitize.placeholders import MappingDecryptError, PlaceholderMap
from faultmaven.sanitize.sanitizer import Sanitizer, SanitizeResult

__all__ = ["MappingDecryptError", "PlaceholderMap", "SanitizeResult", "Sanitizer"]
