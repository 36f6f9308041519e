from shared.api_keys import secrets


def test_a_new_secret_is_well_formed_and_carries_its_marker():
    secret = secrets.generate_secret()

    assert secret.startswith("cf_live_")
    assert secrets.is_well_formed(secret)


def test_secrets_are_unique():
    assert len({secrets.generate_secret() for _ in range(200)}) == 200


def test_a_mistyped_secret_fails_its_checksum():
    secret = secrets.generate_secret()
    body_char = secret[10]
    mistyped = secret[:10] + ("A" if body_char != "A" else "B") + secret[11:]

    assert not secrets.is_well_formed(mistyped)


def test_truncated_or_foreign_strings_are_not_keys():
    secret = secrets.generate_secret()

    assert not secrets.is_well_formed(secret[:-1])
    assert not secrets.is_well_formed("cf_live_short")
    assert not secrets.is_well_formed("sk_live_" + secret[8:])


def test_the_displayed_prefix_is_marker_plus_six_chars():
    secret = secrets.generate_secret()

    prefix = secrets.display_prefix(secret)

    assert len(prefix) == 14
    assert secret.startswith(prefix)


def test_only_a_sha256_hex_digest_is_derived_for_storage():
    digest = secrets.secret_hash("cf_live_example")

    assert len(digest) == 64
    assert int(digest, 16) >= 0
