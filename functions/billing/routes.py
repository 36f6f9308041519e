"""Billing routes: the wallet balance."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from shared.auth.policies import current_principal, requires
from shared.auth.principal import Scope
from shared.billing.models import Balance

router = APIGatewayHttpRouter()
TAGS = ["Billing"]


@router.get("/billing/balance", summary="Wallet balance, rate, minutes remaining and autocharge", tags=TAGS,
            middlewares=[requires(Scope.READ)])
def get_balance() -> Balance:
    from shared.billing import service

    return service.get_balance(current_principal(router))
