"""Path aliases: every route is served at its own path and under these prefixes.

The reference's first example uses the base URL `/api`; `/v1` is the announced versioned prefix.
Imported by the resolver (which strips them) and by the function catalog (which routes them).
"""

ALIAS_PREFIXES: tuple[str, ...] = ("/api", "/v1")
