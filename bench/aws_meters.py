"""Meters for the dialer bench: AWS calls counted at botocore (with DynamoDB capacity estimated from item
sizes), Lambda invocations timed at the local runtime, and a cheaper moto transaction snapshot.

See bench/dialer.py for what is measured and how it turns into dollars.
"""

from __future__ import annotations

import math
import threading
import time
from collections import Counter, defaultdict
from typing import Any

from infra_local import moto_patches

S3_GET_CLASS = {"GetObject", "HeadObject"}
DYNAMODB_WRITES = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}
#: The bench's own requests (polling) are not the run's cost.
excluded = threading.local()


# --- DynamoDB capacity, from DynamoDB's item-size rules on typed attribute values ---


def _value_size(value: dict[str, Any]) -> int:
    kind, inner = next(iter(value.items()))
    if kind == "S":
        return len(inner.encode())
    if kind == "N":
        return len(inner.lstrip("-").replace(".", "")) // 2 + 2
    if kind == "B":
        return len(inner) if isinstance(inner, bytes) else len(inner) * 3 // 4
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "L":
        return 3 + sum(1 + _value_size(element) for element in inner)
    if kind == "M":
        return 3 + sum(len(name.encode()) + 1 + _value_size(element) for name, element in inner.items())
    return sum(_value_size({kind[0]: element}) for element in inner)  # SS, NS, BS


def item_size(item: dict[str, Any] | None) -> int:
    return sum(len(name.encode()) + _value_size(value) for name, value in (item or {}).items())


def _write_units(operation: str, params: dict[str, Any]) -> float:
    def update_size(update: dict[str, Any]) -> int:
        return item_size(update.get("Key")) + item_size(update.get("ExpressionAttributeValues")) + sum(
            len(name.encode()) for name in (update.get("ExpressionAttributeNames") or {}).values())

    def units(size: int) -> int:
        return max(1, math.ceil(size / 1024))

    if operation == "PutItem":
        return units(item_size(params.get("Item")))
    if operation in ("UpdateItem", "DeleteItem"):
        return units(update_size(params))
    if operation == "BatchWriteItem":
        return sum(units(item_size((request.get("PutRequest") or request.get("DeleteRequest") or {}).get("Item")))
                   for requests in params.get("RequestItems", {}).values() for request in requests)
    total = 0
    for entry in params.get("TransactItems", []):  # a transactional write costs twice
        kind, body = next(iter(entry.items()))
        total += 2 * units(item_size(body.get("Item")) if kind == "Put" else update_size(body))
    return total


def _read_units(operation: str, params: dict[str, Any], response: dict[str, Any]) -> float:
    def units(size: int, consistent: bool) -> float:
        return max(1, math.ceil(size / 4096)) * (1.0 if consistent else 0.5)

    consistent = bool(params.get("ConsistentRead"))
    if operation == "GetItem":
        return units(item_size(response.get("Item")), consistent)
    if operation in ("Query", "Scan"):  # billed on the total size read, rounded up once
        return units(sum(item_size(item) for item in response.get("Items", [])), consistent)
    if operation == "BatchGetItem":
        return sum(units(item_size(item), False) for items in response.get("Responses", {}).values() for item in items)
    if operation == "TransactGetItems":
        return sum(2 * units(item_size(entry.get("Item")), True) for entry in response.get("Responses", []))
    return 0.0


# --- Meters: AWS calls at botocore, Lambda invocations at the runtime ---


class Meters:
    def __init__(self) -> None:
        self.calls: Counter = Counter()  # (service, operation)
        self.wru = 0.0
        self.rru = 0.0
        self.sqs_empty_receives = 0
        self.sqs_messages_sent = 0
        self.invocations: Counter = Counter()
        self.seconds: defaultdict[str, float] = defaultdict(float)
        self.cpu_seconds: defaultdict[str, float] = defaultdict(float)
        self.moto_seconds: defaultdict[str, float] = defaultdict(float)
        self.aws_requests: Counter = Counter()  # per function
        self.api_requests = 0
        self.active = False
        self.in_flight = 0
        self.last_finished = time.monotonic()
        self._lock = threading.Lock()

    def install(self, runtime: Any) -> None:
        import botocore.client
        from moto.core.botocore_stubber import BotocoreStubber

        original_call, original_handler, meters = botocore.client.BaseClient._make_api_call, runtime._handler, self
        original_stub = BotocoreStubber.__call__
        per_thread = threading.local()  # moto's server-side seconds and the AWS requests of this thread

        def timed_stub(stubber: Any, event_name: str, request: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return original_stub(stubber, event_name, request, **kwargs)
            finally:
                per_thread.moto = getattr(per_thread, "moto", 0.0) + time.perf_counter() - started

        def counting_call(client: Any, operation: str, params: dict[str, Any]) -> Any:
            per_thread.requests = getattr(per_thread, "requests", 0) + 1
            response = original_call(client, operation, params)
            if meters.active and not getattr(excluded, "on", False):
                meters._count_call(client.meta.service_model.service_name, operation, params, response)
            return response

        def timed_handler(function: Any) -> Any:
            handler = original_handler(function)

            def timed(event: dict[str, Any], context: Any) -> Any:
                counted = meters.active and not getattr(excluded, "on", False)
                with meters._lock:
                    meters.in_flight += 1
                started, cpu_started = time.perf_counter(), time.thread_time()
                moto_before, requests_before = getattr(per_thread, "moto", 0.0), getattr(per_thread, "requests", 0)
                try:
                    return handler(event, context)
                finally:
                    elapsed, cpu = time.perf_counter() - started, time.thread_time() - cpu_started
                    moto = getattr(per_thread, "moto", 0.0) - moto_before
                    requests = getattr(per_thread, "requests", 0) - requests_before
                    with meters._lock:
                        meters.in_flight -= 1
                        meters.last_finished = time.monotonic()
                        if counted:
                            meters.invocations[function.name] += 1
                            meters.seconds[function.name] += elapsed
                            meters.cpu_seconds[function.name] += cpu
                            meters.moto_seconds[function.name] += moto
                            meters.aws_requests[function.name] += requests
                            meters.api_requests += int("http" in (event.get("requestContext") or {}))

            return timed

        botocore.client.BaseClient._make_api_call = counting_call
        BotocoreStubber.__call__ = timed_stub
        runtime._handler = timed_handler

    def _count_call(self, service: str, operation: str, params: dict[str, Any], response: dict[str, Any]) -> None:
        with self._lock:
            if service == "sqs" and operation == "ReceiveMessage" and not response.get("Messages"):
                self.sqs_empty_receives += 1
                return
            self.calls[(service, operation)] += 1
            if service == "sqs" and operation.startswith("SendMessage"):
                self.sqs_messages_sent += len(params.get("Entries", [None]))
            if service == "dynamodb":
                if operation in DYNAMODB_WRITES:
                    self.wru += _write_units(operation, params)
                else:
                    self.rru += _read_units(operation, params, response)

    def wait_until_idle(self, quiet_seconds: float = 1.5, timeout_seconds: float = 120) -> None:
        deadline = time.monotonic() + timeout_seconds
        while time.monotonic() < deadline:
            if self.in_flight == 0 and time.monotonic() - self.last_finished >= quiet_seconds:
                return
            time.sleep(0.2)


# --- moto: transactions that do not copy the whole table (the local stack applies it too) ---

cheaper_transaction_snapshots = moto_patches.cheaper_transaction_snapshots
