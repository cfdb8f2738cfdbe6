"""The copilot turn: the doctrine engine (rules own the case), RAG, the sanitizer, and the LLM that writes the text."""
