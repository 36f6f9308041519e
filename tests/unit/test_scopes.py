from shared.auth.principal import ROLE_SCOPES, Scope


def test_scopes_are_ordered_read_write_admin():
    assert Scope.READ < Scope.WRITE < Scope.ADMIN


def test_labels_round_trip():
    for scope in Scope:
        assert Scope.from_label(scope.label) is scope


def test_owners_hold_admin_and_viewers_read():
    assert ROLE_SCOPES["owner"] is Scope.ADMIN
    assert ROLE_SCOPES["viewer"] is Scope.READ
