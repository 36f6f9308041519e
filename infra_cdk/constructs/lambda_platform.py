"""The one runtime every function and the dependency layer are built for.

The layer's wheels are chosen for exactly this interpreter and CPU (layers/assemble.py), so the
two change together.
"""

from __future__ import annotations

from aws_cdk import aws_lambda as lambda_

RUNTIME = lambda_.Runtime.PYTHON_3_12
ARCHITECTURE = lambda_.Architecture.X86_64

RUNTIME_PIN_REASON = (
    "Pinned to python3.12 on purpose: the dependency layer holds cp312 manylinux wheels and .pyc files "
    "(layers/assemble.py); the runtime moves together with the layer build, not alone."
)
