"""What the platform knows of a caller: only that it acts for one tenant.

The guards around a route (rate limit, Idempotency-Key) and the idempotency store key everything by tenant.
They take any object with a `tenant_id` (in practice `shared.auth.principal.Principal`) so the ground floor
never imports the auth domain (docs/ARCHITECTURE.md).
"""

from __future__ import annotations

from typing import Protocol


class TenantScoped(Protocol):
    @property
    def tenant_id(self) -> int: ...
