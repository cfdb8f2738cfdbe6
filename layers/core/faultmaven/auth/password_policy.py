"""Which passwords are refused: too short or long, or guessable.

Guessable is judged by zxcvbn, which ships its own offline lists (about 30,000 of the most common passwords from
breach corpora, English words, names, keyboard patterns) and also counts the user's own name and email as known
words. A score below 2 ("too guessable": under ~10^6 guesses) is refused, on sign-up and on every password change.
"""

from __future__ import annotations

from faultmaven.errors import InvalidInput

MIN_PASSWORD = 8
MAX_PASSWORD = 1024  # Argon2 accepts more, but there is no reason to hash megabytes
MIN_SCORE = 2
_SCORED_PREFIX = 100  # zxcvbn's time grows with length; past this many characters, length alone is strength


def check_password(password: str, *, user_inputs: tuple[str, ...] = ()) -> None:
    """Raise `InvalidInput` (code WEAK_PASSWORD) with a reason the user can act on."""
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise InvalidInput(f"password must be {MIN_PASSWORD} to {MAX_PASSWORD} characters", code="WEAK_PASSWORD")
    from zxcvbn import zxcvbn  # lazy: only the auth routes pay its import

    result = zxcvbn(password[:_SCORED_PREFIX], user_inputs=[u for u in user_inputs if u])
    if result["score"] < MIN_SCORE:
        warning = (result.get("feedback") or {}).get("warning") or "it is too easy to guess"
        raise InvalidInput(f"password refused: {warning.rstrip('.')}; use a longer passphrase of uncommon words",
                           code="WEAK_PASSWORD")
