"""A new workspace is named after its owner or their company, never after the raw mailbox."""

from __future__ import annotations

import pytest

from shared.accounts.workspace_names import workspace_name


@pytest.mark.parametrize(("email", "full_name", "expected"), [
    ("you@acme.com", "Priya Shah", "Priya Shah's workspace"),
    ("you@acme.com", "  Priya   Shah ", "Priya Shah's workspace"),
    ("you@acme.com", None, "Acme"),
    ("you@acme.com", "   ", "Acme"),
    ("ops@billing.acme-corp.co.uk", None, "Acme Corp"),
    ("sales@globex.com.au", None, "Globex"),
    ("priya.shah@gmail.com", None, "Priya Shah's workspace"),
    ("priya_shah+callfunnel@outlook.com", None, "Priya Shah's workspace"),
    ("1234@gmail.com", None, "My workspace"),
])
def test_the_workspace_is_named_after_the_owner_or_their_company(email, full_name, expected):
    assert workspace_name(email, full_name) == expected


def test_a_long_name_still_fits_the_tenant_name():
    assert len(workspace_name("a@b.com", "x" * 120)) == 120
