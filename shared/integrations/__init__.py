"""Integrations: a tenant's connections to its own tools (today: its Slack workspace, for approvals)."""
