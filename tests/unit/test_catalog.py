"""The catalog and the resolvers must agree, or the cloud and the laptop would serve different APIs."""

import importlib
import re

import pytest

from functions.catalog import FUNCTIONS, PATH_ALIASES


def resolver_routes(function):
    app = importlib.import_module(function.module).app
    declared = set()
    for route in app._static_routes + app._dynamic_routes:
        for method in route.method.split(","):
            path = re.sub(r"<(\w+)>", r"{\1}", route.path)
            declared.add((method.strip().upper(), path))
    return declared


HTTP_FUNCTIONS = [function for function in FUNCTIONS if function.routes]


@pytest.mark.parametrize("function", HTTP_FUNCTIONS, ids=lambda function: function.name)
def test_every_catalog_route_is_served_by_its_function_and_nothing_else_is(function):
    catalogued = {(route.method, route.path) for route in function.routes}

    assert resolver_routes(function) == catalogued


def test_no_route_is_claimed_by_two_functions():
    seen = {}
    for function in FUNCTIONS:
        for route in function.routes:
            key = (route.method, route.path)
            assert key not in seen, f"{key} is in both {seen[key]} and {function.name}"
            seen[key] = function.name


def test_exactly_one_function_answers_unknown_routes():
    assert [f.name for f in FUNCTIONS if f.serves_unmatched_routes] == ["health"]


def test_every_route_is_also_served_under_the_api_and_v1_aliases():
    route = FUNCTIONS[0].routes[0]

    assert route.route_keys == tuple(f"{route.method} {prefix}{route.path}" for prefix in PATH_ALIASES)
    assert PATH_ALIASES == ("", "/api", "/v1")


def test_a_queue_triggered_function_has_a_handler_and_no_routes():
    for function in FUNCTIONS:
        if function.queue_trigger:
            assert not function.routes
            assert callable(getattr(importlib.import_module(function.module), function.entry_point))
