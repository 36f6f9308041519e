"""The tenant's own Slack: "Add to Slack" (OAuth v2), its state, the approvals channel, disconnecting.

Access, by the reference's conventions: starting an install and taking Slack's redirect back need a logged-in
user (the installing user is recorded and the OAuth state is bound to that user: API keys refused, like
`PUT /api/workflows/{id}/compliance`); saving the channel is a write like saving a credential; disconnecting
(which revokes the token) is destructive like deleting provider credentials: admin.

The service is imported inside the routes, so importing this module stays cheap (cold starts).
"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from pydantic import BaseModel, ConfigDict, Field

from shared.auth.policies import current_principal, requires
from shared.auth.principal import Scope
from shared.integrations.models import SlackConnection, SlackDisconnected, SlackInstallStart

router = APIGatewayHttpRouter()
TAGS = ["Integrations"]
#: A channel id (`C0123ABCD`) or name (`approvals`, `#approvals`): no spaces, no Slack markup.
CHANNEL = r"^#?[^\s#<>|,]{1,80}$"
BACK_TO_THE_CONSOLE = {303: {"description": "Connected (or not authorized in Slack): back to the console's Slack "
                                            "page, `?slack=connected|cancelled|failed`. A browser (`Accept: "
                                            "text/html`) is sent there when the redirect is refused too, "
                                            "`?slack=failed&code=…`; other clients get the error JSON",
                             "content": {},  # no body
                             "headers": {"Location": {"description": "The console page",
                                                      "schema": {"type": "string", "format": "uri"}}}}}


class ChannelRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    channel: Annotated[str, Field(min_length=1, max_length=81, pattern=CHANNEL)]


@router.post("/integrations/slack/install", summary="Add to Slack: Slack's authorize URL for this user (OAuth v2)",
             tags=TAGS, middlewares=[requires(Scope.WRITE, users_only=True)])
def start_slack_install() -> SlackInstallStart:
    from shared.integrations import service

    return service.start_install(current_principal(router))


@router.get("/integrations/slack/oauth/callback",
            summary="Slack's redirect after Add to Slack: the state checked, the bot token stored sealed; 303 to the "
                    "console", tags=TAGS, responses=BACK_TO_THE_CONSOLE,
            middlewares=[requires(Scope.WRITE, users_only=True)])
def finish_slack_install(state: Annotated[str, Query(min_length=1, max_length=200)],
                         code: Annotated[str | None, Query(min_length=1, max_length=500)] = None,
                         error: Annotated[str | None, Query(min_length=1, max_length=200)] = None):
    from shared.integrations import service

    browser = "text/html" in (router.current_event.headers.get("accept") or "")  # Slack's redirect: a navigation
    page = service.complete_install(current_principal(router), state=state, code=code, error=error, browser=browser)
    return Response(303, headers={"Location": page, "Cache-Control": "no-store"})


@router.get("/integrations/slack", summary="Whether Slack is connected: the workspace and the approvals channel",
            tags=TAGS, middlewares=[requires(Scope.READ)])
def get_slack_connection() -> SlackConnection:
    from shared.integrations import service

    return service.get_connection(current_principal(router))


@router.put("/integrations/slack", summary="Choose the channel approvals are posted to (checked with Slack)",
            tags=TAGS, middlewares=[requires(Scope.WRITE)])
def choose_slack_channel(body: Annotated[ChannelRequest, Body()]) -> SlackConnection:
    from shared.integrations import service

    return service.choose_channel(current_principal(router), body.channel)


@router.delete("/integrations/slack", summary="Disconnect Slack: forget the workspace and revoke the bot token",
               tags=TAGS, middlewares=[requires(Scope.ADMIN)])
def disconnect_slack() -> SlackDisconnected:
    from shared.integrations import service

    return service.disconnect(current_principal(router))
