"""Who administers a workspace: where notices about the workspace itself go (an endpoint we disabled, …).

Apart from `service` so a queue consumer that only needs the addresses loads only the accounts repository.
"""

from __future__ import annotations

from shared.accounts import repository

ADMIN_ROLES = ("owner", "admin")


def admin_emails(tenant_id: int) -> list[str]:
    """The addresses of the workspace's active owners and admins."""
    return [user.email for user in repository.list_users(tenant_id)
            if user.role in ADMIN_ROLES and user.status == "active"]
