"""Identity: users, password hashing, JWT issue and verification."""
