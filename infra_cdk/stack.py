"""CallFunnelStack: the whole cloud deployment, generated from `functions.catalog.FUNCTIONS`."""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Stack
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from functions.catalog import FUNCTIONS, LambdaFunction
from infra_cdk.constructs.campaign_scheduler import CampaignScheduler
from infra_cdk.constructs.catalog_function import CatalogFunction
from infra_cdk.constructs.console_site import ConsoleSite
from infra_cdk.constructs.credentials_key import CredentialsKey
from infra_cdk.constructs.data_table import DataTable
from infra_cdk.constructs.dependency_layer import DependencyLayers
from infra_cdk.constructs.dialer_state_machine import DialerArns, DialerStateMachine
from infra_cdk.constructs.event_queues import EventQueue, queue_consumers
from infra_cdk.constructs.function_code import function_code
from infra_cdk.constructs.jwt_signing_secret import JwtSigningSecret
from infra_cdk.constructs.media_bucket import MediaBucket
from infra_cdk.constructs.media_stream_secret import MediaStreamSecret
from infra_cdk.constructs.payment_secrets import PaymentSecrets
from infra_cdk.constructs.permission_grants import GrantTargets
from infra_cdk.constructs.platform_key import PlatformKey
from infra_cdk.constructs.public_http_api import PublicHttpApi
from infra_cdk.constructs.queue_key import QueueKey
from infra_cdk.constructs.slack_secrets import SlackSecrets
from infra_cdk.constructs.voice_plane import VoicePlane
from infra_cdk.deployment_settings import DeploymentSettings


class CallFunnelStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, **kwargs: Any) -> None:
        super().__init__(
            scope, construct_id, description="CallFunnel: AI outbound calling platform", **kwargs
        )
        settings = DeploymentSettings.from_context(self.node)

        platform_key = PlatformKey(self, "PlatformKey").key
        data = DataTable(self, "Data")
        jwt_secret = JwtSigningSecret(self, "JwtSigningSecret", encryption_key=platform_key)
        media_stream_secret = MediaStreamSecret(self, "MediaStreamSecret", encryption_key=platform_key)
        media = MediaBucket(self, "Media")
        consumers = queue_consumers()
        queue_key = (QueueKey(self, "QueueKey").key
                     if any(consumer.queue_trigger.customer_managed_key for consumer in consumers.values()) else None)
        queues = {
            name: EventQueue(self, _construct_id(name), consumer=consumer, queue_key=queue_key)
            for name, consumer in consumers.items()
        }
        credentials_key = CredentialsKey(self, "CredentialsKey")
        payment_secrets = PaymentSecrets(
            self,
            "PaymentSecrets",
            secret_name=settings.payments_secret_name,
            rotating_webhook_secret=settings.payments_webhook_rotation,
        )
        slack_secrets = SlackSecrets(self, "SlackSecrets", secret_name=settings.slack_secret_name)
        dependencies = DependencyLayers(self, "Dependencies", build_dir=settings.layer_asset_dir)
        # Created before the functions: they are told its URL, then it is given their routes.
        http_api = PublicHttpApi(self, "HttpApi", log_key=platform_key)
        campaign_scheduler = CampaignScheduler(self, "CampaignScheduler")
        # The console and the API on one origin (CloudFront): cookie-authenticated writes come from its URL.
        console = ConsoleSite(self, "Console", api_endpoint=http_api.endpoint, media_bucket=media.bucket)

        grant_targets = GrantTargets(
            data_table=data,
            jwt_secret=jwt_secret.secret,
            media_stream_secret=media_stream_secret.secret,
            email_identity_arn=self.format_arn(
                service="ses", resource="identity", resource_name=settings.email_sender_domain
            ),
            media_bucket=media,
            queues=queues,
            credentials_key=credentials_key,
            dialer=DialerArns.of(self),
            campaign_scheduler=campaign_scheduler,
        )
        # The voice plane's URL is its domain's (from context), so the functions can be told it up front.
        voice_plane = None
        if settings.voice_domain_name and settings.voice_certificate_arn:
            voice_plane = VoicePlane(
                self, "VoicePlane", domain_name=settings.voice_domain_name,
                certificate_arn=settings.voice_certificate_arn, grant_targets=grant_targets,
                platform_key=platform_key, log_bucket=media.access_logs,
                provider_secret_name=settings.voice_secret_name, max_tasks=settings.voice_max_tasks,
            )
        environment = {
            "CALLFUNNEL_ENVIRONMENT": "aws",
            "POWERTOOLS_SERVICE_NAME": "callfunnel",
            "POWERTOOLS_METRICS_NAMESPACE": "CallFunnel",
            "TABLE_NAME": data.table.table_name,
            "PUBLIC_BASE_URL": http_api.endpoint,
            "EMAIL_SENDER": settings.email_sender,
            "CSRF_TRUSTED_ORIGINS": console.url,
        }
        deployed: dict[str, lambda_.IFunction] = {}
        # Schedule targets first: functions that manage schedules are told the target's ARN.
        for spec in sorted(FUNCTIONS, key=lambda spec: not spec.schedule_target):
            function = CatalogFunction(
                self,
                spec.name,
                spec=spec,
                code=function_code(spec, settings.layer_asset_dir),
                layers=dependencies.layers_of(spec.name),
                environment={**environment, **payment_secrets.environment_for(spec),
                             **slack_secrets.environment_for(spec),
                             **(voice_plane.environment_for(spec) if voice_plane else {})},
                grant_targets=grant_targets,
                platform_key=platform_key,
                trigger_queue=queues[spec.queue_trigger.queue] if spec.queue_trigger else None,
                environment_key=_environment_key(spec, payment_secrets, slack_secrets),
            )
            http_api.serve(spec, function.function)
            deployed[spec.name] = function.function
            if spec.schedule_group:
                campaign_scheduler.add_target(function.function, spec.schedule_group)

        # After the functions: the definition names their ARNs (they know its ARN from its name).
        dialer = DialerStateMachine(self, "Dialer", functions=deployed, media_bucket=media, log_key=platform_key)

        CfnOutput(self, "ApiUrl", value=http_api.url, description="Base URL of the CallFunnel API")
        CfnOutput(self, "ConsoleUrl", value=console.url,
                  description="The console (and the API on the same origin): open it in a browser")
        CfnOutput(self, "ConsoleBucketName", value=console.bucket.bucket_name,
                  description="Where python -m infra_cdk.publish_console uploads console/dist")
        CfnOutput(self, "ConsoleDistributionId", value=console.distribution.distribution_id,
                  description="The distribution whose index.html publish_console invalidates")
        if voice_plane:
            CfnOutput(self, "VoicePlaneLoadBalancerDns", value=voice_plane.load_balancer.load_balancer_dns_name,
                      description=f"Point {voice_plane.domain_name} (CNAME or alias) at this name")
        CfnOutput(self, "DialerStateMachineArn", value=dialer.state_machine.state_machine_arn,
                  description="The dialer state machine (one execution per campaign run)")


def _environment_key(spec: LambdaFunction, payment_secrets: PaymentSecrets,
                     slack_secrets: SlackSecrets) -> kms.IKey | None:
    """A function holding a secret encrypts its environment with that secret's own key (none holds two kinds)."""
    for holder in (payment_secrets, slack_secrets):
        if holder.receives_secrets(spec):
            return holder.key
    return None


def _construct_id(queue_name: str) -> str:
    """"payment-events" → "PaymentEvents"."""
    return "".join(part.capitalize() for part in queue_name.split("-"))
