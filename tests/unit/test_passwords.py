from shared.auth import passwords


def test_a_password_verifies_against_its_own_hash_only():
    stored = passwords.hash_password("correct horse battery")

    assert stored.startswith("$argon2id$")
    assert passwords.password_matches(stored, "correct horse battery")
    assert not passwords.password_matches(stored, "correct horse battery!")


def test_a_corrupt_hash_never_matches():
    assert not passwords.password_matches("not-a-hash", "anything")
