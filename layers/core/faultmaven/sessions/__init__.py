"""Client sessions: create-or-resume by client id, keep-alive, expiry."""
