"""An account without a usable hash can never be signed into, whatever is typed."""

from faultmaven.auth.passwords import hash_password, verify_password


def test_only_a_real_hash_verifies() -> None:
    assert verify_password(hash_password("correct horse battery staple"), "correct horse battery staple")
    for missing in (None, ""):
        assert not verify_password(missing, "not-a-real-password")  # the dummy hash's own password
        assert not verify_password(missing, "")
