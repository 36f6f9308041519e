"""Route-policy discovery over the catalog: which policy a catalog function declares for one of its routes.

It reads the catalog and imports the function's handler module, so it lives in the functions layer; the
policies themselves (`requires`, PUBLIC_ROUTES, SIGNED_ROUTES, `route_policies`) stay in `shared.auth.policies`.
"""

from __future__ import annotations

import importlib

from functions.catalog import by_name
from shared.auth.policies import RoutePolicy, UnclassifiedRoute, route_policies


def policy_of(function_name: str, method: str, path: str) -> RoutePolicy:
    """The policy of one catalog route, read from its function's resolver (imports the handler module)."""
    app = importlib.import_module(by_name(function_name).module).app
    policies = route_policies(app)
    key = (method.upper(), path)
    if key not in policies:
        raise UnclassifiedRoute(f"{method.upper()} {path} is not a route of the {function_name!r} function")
    return policies[key]
