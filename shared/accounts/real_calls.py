"""Who may spend money on a real carrier (Twilio, Exotel): a workspace with a confirmed email address.

The trial credit is credited at signup, so a throwaway signup could otherwise dial real people on the house.
Sandbox calls and test workflows never reach a carrier and need nothing. `run` checks it (409) for the carrier
of its day, and the dial step again for the carrier it actually dials through — the tenant's mode or
credentials may change while a run waits for its window. Apart from `service` so the dialer's per-dial check
loads only the accounts repository.
"""

from __future__ import annotations

from shared.accounts import repository
from shared.platform.errors import Conflict


def may_place_real_calls(tenant_id: int) -> bool:
    return repository.has_verified_user(tenant_id)


def ensure_may_place_real_calls(tenant_id: int) -> None:
    """409 EMAIL_NOT_VERIFIED until a user of the workspace has confirmed an email address."""
    if not may_place_real_calls(tenant_id):
        raise Conflict("Confirm your email address (follow the link we sent at signup) before placing real calls",
                       code="EMAIL_NOT_VERIFIED", field="email")
