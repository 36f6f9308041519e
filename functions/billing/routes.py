"""Billing routes: balance, pre-call gate, ledger history, top-up checkouts, auto-recharge settings.

The services are imported inside the routes, so importing this module stays cheap (cold starts).
"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt

from shared.auth.policies import current_principal, requires
from shared.auth.principal import Scope
from shared.billing.models import PRECHECK_MAX_EXPECTED_SECONDS, Autocharge, Balance, History, Precheck

router = APIGatewayHttpRouter()
TAGS = ["Billing"]


class TopupRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    amount_minor: Annotated[StrictInt, Field(ge=1, le=10_000_000)]
    return_url: Annotated[str | None, Field(min_length=1, max_length=2048, pattern=r"^https?://\S+$")] = None


class TopupCreated(BaseModel):
    intent_id: str
    amount_minor: int
    currency: str
    status: str
    external_id: str | None
    checkout_url: str | None


class AutochargeRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    enabled: StrictBool
    threshold_minor: StrictInt | None = None
    amount_minor: StrictInt | None = None


@router.get("/billing/balance", summary="Wallet balance, rate, minutes remaining and autocharge", tags=TAGS,
            middlewares=[requires(Scope.READ)])
def get_balance() -> Balance:
    from shared.billing import service

    return service.get_balance(current_principal(router))


@router.get("/billing/precheck", summary="Pre-call gate: ok, insufficient_funds, trial_expired, account_suspended",
            tags=TAGS, middlewares=[requires(Scope.READ)])
def precheck(expected_seconds: Annotated[int, Query(ge=0, le=PRECHECK_MAX_EXPECTED_SECONDS)] = 60) -> Precheck:
    from shared.billing import service

    return service.precheck(current_principal(router), expected_seconds)


@router.get("/billing/history", summary="The immutable wallet ledger, newest first (cursor for more)", tags=TAGS,
            middlewares=[requires(Scope.READ)])
def history(limit: Annotated[int, Query(ge=1, le=200)] = 50,
            cursor: Annotated[str | None, Query(min_length=1, max_length=400)] = None) -> History:
    from shared.billing import service

    return service.history(current_principal(router), limit, cursor)


@router.post("/billing/topup", summary="Create a top-up checkout; the wallet is credited by the payment webhook",
             tags=TAGS, status_code=201, middlewares=[requires(Scope.WRITE)])
def create_topup(body: Annotated[TopupRequest, Body()]) -> TopupCreated:
    from shared.billing import service

    intent = service.create_topup(current_principal(router), body.amount_minor, body.return_url)
    return TopupCreated(**intent.model_dump())


@router.post("/billing/autocharge", summary="Configure auto-recharge (threshold and amount when enabled)", tags=TAGS,
             middlewares=[requires(Scope.WRITE)])
def configure_autocharge(body: Annotated[AutochargeRequest, Body()]) -> Autocharge:
    from shared.billing import service

    return service.configure_autocharge(current_principal(router), body.enabled, body.threshold_minor,
                                        body.amount_minor)
