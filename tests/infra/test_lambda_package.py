"""Every function imports on the Lambda runtime from its own deployed package: its code asset and its layers.

Runs where a Python 3.12 exists (the runtime's version): each handler is imported under it with nothing
but the standard library, the function's staged code asset and its layers' assets on the path, as Lambda
does. Then every third-party module the import analysis found in the function's code, lazily imported
ones included (e.g. `import anthropic` inside a function), is imported too, and the slimmed packages are
used the way our code uses them: a module the analysis missed, or a bundle that lacks it, fails here. So is
a client for every AWS service the function may call: botocore ships only those services' models
(layers/aws_services.py), and creating a client reads its model (no network).
"""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from functions.catalog import FUNCTIONS, LambdaFunction
from layers.assemble import DEFAULT_BUILD_DIR
from layers.import_graph import closure
from layers.plan import aws_services_of, bundles, installs_in
from layers.runtime import runtime_python
from tests.infra.packages import deployed_package
from tests.infra.synthesis import Synthesis

pytestmark = pytest.mark.infra

RUNTIME_PYTHON = runtime_python()


@pytest.fixture(autouse=True)
def _lambda_runtime_present() -> None:
    """These checks prove the packages on the Lambda runtime's Python: without one they fail, never skip."""
    if RUNTIME_PYTHON is None:
        pytest.fail("no python3.12 to stand in for the Lambda runtime (install it: the Lambda runtime is 3.12)")

LOAD_THE_FUNCTION = """
import importlib, json, sys
sys.path = [path for path in sys.path if "-packages" not in path]
spec = json.loads(sys.argv[1])
getattr(importlib.import_module(spec["module"]), spec["entry_point"])


def load(name):
    # `from a import b` recorded "a.b": a submodule, or else an attribute of a.
    try:
        importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name != name:
            raise
        parent, _, attribute = name.rpartition(".")
        getattr(importlib.import_module(parent), attribute)


for name in spec["third_party"]:
    load(name)
imported = {name.split(".")[0] for name in spec["third_party"]}
if "twilio" in imported:  # only twilio.rest.api ships: our calls must reach it
    from twilio.rest import Client
    client = Client("AC" + "0" * 32, "token")
    client.calls, client.available_phone_numbers("US").local, client.incoming_phone_numbers
if "phonenumbers.timezone" in spec["third_party"]:  # phonenumberslite + the time-zone data
    import phonenumbers
    from phonenumbers.timezone import time_zones_for_number
    assert time_zones_for_number(phonenumbers.parse("+14155550100")) == ("America/Los_Angeles",)
if spec["aws_services"]:  # the trimmed botocore/data holds the model of every client the function may create
    import boto3
    session = boto3.session.Session(aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret",
                                    region_name="eu-west-1")
    for service in spec["aws_services"]:
        session.client(service)
if spec["name"] == "health":  # the merged OpenAPI document imports every route handler by name
    from functions.openapi.document import merged_openapi
    assert merged_openapi()["paths"]
"""


@pytest.mark.parametrize("spec", FUNCTIONS, ids=lambda spec: spec.name)
def test_the_handler_and_every_sdk_it_may_import_load_from_its_own_package(
    synthesis: Synthesis, spec: LambdaFunction
) -> None:
    package = deployed_package(synthesis, spec)
    spec_json = json.dumps({
        "name": spec.name,
        "module": spec.module,
        "entry_point": spec.entry_point,
        "third_party": sorted(closure([spec.module]).third_party),
        "aws_services": sorted(aws_services_of(spec, installs_in(DEFAULT_BUILD_DIR))),
    })
    result = subprocess.run(
        # -B: /var/task and /opt are read-only on Lambda (and the assembly must stay as synthesised).
        [RUNTIME_PYTHON, "-s", "-B", "-c", LOAD_THE_FUNCTION, spec_json],
        cwd=package.code,
        env=_lambda_environment(package.python_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr


def _lambda_environment(python_path: str) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": python_path,
        "CALLFUNNEL_ENVIRONMENT": "aws",
        "AWS_REGION": "eu-west-1",
    }


USE_EVERY_KEPT_MODEL = """
import json, sys
sys.path = [path for path in sys.path if "-packages" not in path]
import boto3
from aws_xray_sdk.core.sampling.connector import ServiceConnector
from pynamodb.connection import Connection

session = boto3.session.Session(aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret",
                                region_name="eu-west-1")
assert sorted(session.get_available_services()) == json.loads(sys.argv[1]), session.get_available_services()
for service in session.get_available_services():
    client = session.client(service)
    for method in client.meta.method_to_api_mapping:  # paginators and waiters load on first use
        if client.can_paginate(method):
            client.get_paginator(method)
    for waiter in client.waiter_names:
        client.get_waiter(waiter)
ServiceConnector()  # the X-Ray SDK's sampling poller: a botocore client of its own
Connection(region="eu-west-1").client  # pynamodb's DynamoDB client
"""


def test_every_kept_service_model_loads_with_its_paginators_and_waiters(synthesis: Synthesis) -> None:
    """The trimmed botocore/data is exactly the derived set, and each kept service is whole and usable."""
    (common,) = [bundle for bundle in bundles(installs_in(DEFAULT_BUILD_DIR)) if bundle.aws_services]
    package = deployed_package(synthesis, next(spec for spec in FUNCTIONS if spec.name in common.functions))
    result = subprocess.run(
        [RUNTIME_PYTHON, "-s", "-B", "-c", USE_EVERY_KEPT_MODEL, json.dumps(sorted(common.aws_services))],
        cwd=package.code,
        env=_lambda_environment(package.python_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
