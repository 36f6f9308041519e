"""The voice plane (voice/): a long-lived Fargate service behind an HTTPS load balancer, one WebSocket per call.

Choices, briefly (infra_cdk/README.md has the operational side):
- The image is a Docker image asset of voice/Dockerfile. Synth only stages its context (the repository root
  narrowed by /.dockerignore) into cdk.out; the CDK CLI builds and pushes it when assets are published, so
  synth needs no Docker.
- A call is one WebSocket that lives as long as the call. The ALB's idle timeout is longer than the longest
  call a rule book allows; in practice media frames flow every 20 ms, so it only closes sockets that went dead.
- Deploys and scale-in never cut a call: a stopping task is first deregistered (no new calls reach it) and ECS
  waits out the target group's deregistration delay — longer than the longest call — before it signals the
  container. The ALB ends the wait early once the task holds no connection, so a deploy takes as long as its
  longest call in flight, never longer than the delay. ECS's stopTimeout (120 s at most on Fargate) then only
  covers the process's own shutdown, which is why the delay, not the stop timeout, protects the calls.
- Autoscaling tracks the active calls per task: a custom metric the service publishes (VOICE_METRICS_*).
- Secrets reach the container as ECS secrets (the agent reads Secrets Manager with the execution role); the
  task role may only read/write the table, put recordings (with a data key of the media bucket's KMS key) and
  publish its own metric namespace.
"""

from __future__ import annotations

from aws_cdk import CfnMapping, Duration, IgnoreMode, RemovalPolicy, Stack
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecr_assets as ecr_assets
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk.region_info import FactName, RegionInfo
from constructs import Construct

from functions.catalog import LambdaFunction, Permission
from infra_cdk.constructs.media_bucket import KEY_WRITE_ACTIONS
from infra_cdk.constructs.permission_grants import GRANTS, MEDIA_WRITE_ACTIONS, GrantTargets
from infra_cdk.deployment_settings import REPO_ROOT
from infra_cdk.nag import acknowledge

DOCKERFILE = "voice/Dockerfile"
CONTAINER_PORT = 8765
HEALTH_PATH = "/healthz"
MEDIA_PATH = "/media/twilio"
#: The longest call a rule book may ask for: shared/workflows/validator.py's CALL_SECONDS[1] (infra imports only
#: the catalog of the application; tests/infra/test_voice_plane.py keeps the two equal).
LONGEST_CALL_SECONDS = 1800
#: Room for ringing, the hang-up and the last status callback around the longest call.
CALL_MARGIN_SECONDS = 120
#: ALB limits: idle timeout ≤ 4000 s, deregistration delay ≤ 3600 s; Fargate: stopTimeout ≤ 120 s.
IDLE_TIMEOUT_SECONDS = LONGEST_CALL_SECONDS + CALL_MARGIN_SECONDS
DEREGISTRATION_DELAY_SECONDS = LONGEST_CALL_SECONDS + CALL_MARGIN_SECONDS
STOP_TIMEOUT_SECONDS = 120
#: One vCPU (the voice plane is one asyncio process: its event loop uses one core; a second vCPU would mostly idle)
#: and Fargate's least memory for it (25 calls hold ~0.5 GB). `make bench` measured ~28 ms of CPU per call-second
#: (docs/ARCHITECTURE.md, "The voice plane in the cloud"): 20 calls kept a core 61 % busy with frame lag p99 8 ms,
#: 25 calls 66–74 % busy with p99 74–161 ms on a shared dev core.
MEASURED_CPU_MS_PER_CALL_SECOND = 28
#: Target tracking acts on one-minute averages and a new task takes minutes to start, so the target leaves the core
#: room for the calls that keep arriving meanwhile, call starts and turn-model bursts: at the target a task's core
#: is a little over half busy.
SCALE_OUT_AT_CORE_SHARE = 0.56
TASK_CPU = 1024
TASK_MEMORY_MIB = 2048
ACTIVE_CALLS_PER_TASK = 20
MIN_TASKS = 2  # one per availability zone
METRICS_NAMESPACE = "CallFunnel/Voice"
ACTIVE_CALLS_METRIC = "ActiveCalls"
#: Written under this prefix of the media bucket (recordings/{tenant}/{call}/).
RECORDINGS_OBJECTS = "recordings/*"
LOG_RETENTION = logs.RetentionDays.ONE_MONTH
#: The load balancer's access logs, under this prefix of the media access-log bucket.
ACCESS_LOG_PREFIX = "voice-alb"
ACCESS_LOG_SID = "VoicePlaneLoadBalancerAccessLogs"
#: Field of the ops-managed provider secret → the container's variable (shared/platform/settings.py).
PROVIDER_SECRET_FIELDS = {
    "deepgram_api_key": "DEEPGRAM_API_KEY",
    "cartesia_api_key": "CARTESIA_API_KEY",
    "anthropic_api_key": "ANTHROPIC_API_KEY",
    "twilio_auth_token": "TWILIO_AUTH_TOKEN",
}
#: Catalog functions told the voice plane's URL: the voice webhook answers a call with a stream to it.
URL_RECIPIENTS = frozenset({"telephony_webhooks"})


class VoicePlane(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        domain_name: str,
        certificate_arn: str,
        grant_targets: GrantTargets,
        platform_key: kms.IKey,
        log_bucket: s3.IBucket,
        provider_secret_name: str | None = None,
        max_tasks: int = 10,
    ) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        self.domain_name = domain_name
        #: What the voice webhook streams a call to (wss://<domain>); the carrier's path is appended to it.
        self.url = f"wss://{domain_name}"
        self.metrics_dimension = {"Stack": stack.stack_name}

        self.vpc = self._vpc(platform_key)
        self.cluster = ecs.Cluster(self, "Cluster", vpc=self.vpc,
                                   container_insights_v2=ecs.ContainerInsights.ENABLED)
        self.image = ecs.ContainerImage.from_asset(
            str(REPO_ROOT), file=DOCKERFILE, platform=ecr_assets.Platform.LINUX_AMD64,
            ignore_mode=IgnoreMode.DOCKER,
        )
        self.log_group = logs.LogGroup(self, "Logs", encryption_key=platform_key, retention=LOG_RETENTION,
                                       removal_policy=RemovalPolicy.RETAIN)
        self.task_definition = ecs.FargateTaskDefinition(
            self, "Task", cpu=TASK_CPU, memory_limit_mib=TASK_MEMORY_MIB,
            runtime_platform=ecs.RuntimePlatform(cpu_architecture=ecs.CpuArchitecture.X86_64,
                                                 operating_system_family=ecs.OperatingSystemFamily.LINUX),
        )
        self._grant_task_role(grant_targets)
        self.container = self.task_definition.add_container(
            "voice",
            image=self.image,
            port_mappings=[ecs.PortMapping(container_port=CONTAINER_PORT)],
            environment=self._environment(grant_targets),
            secrets=self._secrets(grant_targets, provider_secret_name),
            logging=ecs.LogDriver.aws_logs(stream_prefix="voice", log_group=self.log_group),
            health_check=ecs.HealthCheck(
                command=["CMD", "python", "-c", "import urllib.request; urllib.request.urlopen("
                         f"'http://127.0.0.1:{CONTAINER_PORT}{HEALTH_PATH}', timeout=4)"],
                interval=Duration.seconds(15), timeout=Duration.seconds(5), retries=3,
                start_period=Duration.seconds(30)),
            stop_timeout=Duration.seconds(STOP_TIMEOUT_SECONDS),
        )
        self.service = ecs.FargateService(
            self, "Service", cluster=self.cluster, task_definition=self.task_definition,
            desired_count=MIN_TASKS, min_healthy_percent=100, max_healthy_percent=200,
            circuit_breaker=ecs.DeploymentCircuitBreaker(enable=True, rollback=True),
            vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS),
            assign_public_ip=False, health_check_grace_period=Duration.seconds(60),
        )
        self.load_balancer, self.target_group = self._load_balancer(certificate_arn, log_bucket)
        self._autoscale(max_tasks)
        self._acknowledge()

    def environment_for(self, spec: LambdaFunction) -> dict[str, str]:
        """The variables a catalog function gets from the voice plane: its URL, for the voice webhook only."""
        return {"VOICE_PLANE_URL": self.url} if spec.name in URL_RECIPIENTS else {}

    def _vpc(self, platform_key: kms.IKey) -> ec2.Vpc:
        # Tasks in private subnets: only the load balancer is reachable from the internet. They reach the
        # providers (Deepgram, Cartesia, Anthropic, Twilio) through NAT; DynamoDB and S3 through free gateway
        # endpoints, so the table and recordings traffic never crosses the NAT.
        vpc = ec2.Vpc(
            self, "Vpc", max_azs=2, nat_gateways=2,
            subnet_configuration=[
                ec2.SubnetConfiguration(name="public", subnet_type=ec2.SubnetType.PUBLIC, cidr_mask=24),
                ec2.SubnetConfiguration(name="tasks", subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS, cidr_mask=22),
            ],
            gateway_endpoints={
                "DynamoDb": ec2.GatewayVpcEndpointOptions(service=ec2.GatewayVpcEndpointAwsService.DYNAMODB),
                "S3": ec2.GatewayVpcEndpointOptions(service=ec2.GatewayVpcEndpointAwsService.S3),
            },
        )
        flow_logs = logs.LogGroup(self, "FlowLogs", encryption_key=platform_key, retention=LOG_RETENTION,
                                  removal_policy=RemovalPolicy.RETAIN)
        vpc.add_flow_log("FlowLog", destination=ec2.FlowLogDestination.to_cloud_watch_logs(flow_logs),
                         traffic_type=ec2.FlowLogTrafficType.REJECT)
        return vpc

    def _environment(self, targets: GrantTargets) -> dict[str, str]:
        # Configuration only: every secret is an ECS secret (below), never a plain variable.
        return {
            "CALLFUNNEL_ENVIRONMENT": "aws",
            # Lambda sets it for functions; a container is told (boto3 and the settings' aws_region read it).
            "AWS_REGION": Stack.of(self).region,
            "POWERTOOLS_SERVICE_NAME": "callfunnel-voice",
            "TABLE_NAME": targets.data_table.table.table_name,
            "MEDIA_BUCKET": targets.media_bucket.bucket.bucket_name,
            "CREDENTIALS_KMS_KEY_ID": targets.credentials_key.key.key_arn,  # opens tenants' Slack bot tokens
            "VOICE_PLANE_HOST": "0.0.0.0",  # the task's own network interface: only the ALB reaches it
            "VOICE_PLANE_PORT": str(CONTAINER_PORT),
            "VOICE_METRICS_NAMESPACE": METRICS_NAMESPACE,
            "VOICE_METRICS_STACK": self.metrics_dimension["Stack"],
            # Where the brain's approval.requested / contact.opted_out events go (shared.platform.events).
            **GRANTS[Permission.SEND_WEBHOOK_EVENTS](targets).environment,
            # Where the end-of-call write asks for the post-call analysis (shared.calls.analysis_record).
            **GRANTS[Permission.SEND_CALL_ANALYSIS](targets).environment,
        }

    def _secrets(self, targets: GrantTargets, provider_secret_name: str | None) -> dict[str, ecs.Secret]:
        # The media-stream tokens' key, the secret the voice webhook mints them with (shared/calls/media_tokens.py);
        # not the JWT signing secret, which the voice plane has no use for. The ECS agent reads it with the
        # execution role (which CDK grants GetSecretValue on it, and kms:Decrypt of the platform key via Secrets
        # Manager).
        secrets = {"MEDIA_STREAM_SECRET": ecs.Secret.from_secrets_manager(targets.media_stream_secret)}
        if provider_secret_name:
            provider = (secretsmanager.Secret.from_secret_complete_arn(self, "ProviderKeys", provider_secret_name)
                        if provider_secret_name.startswith("arn:")
                        else secretsmanager.Secret.from_secret_name_v2(self, "ProviderKeys", provider_secret_name))
            secrets |= {variable: ecs.Secret.from_secrets_manager(provider, field=field)
                        for field, variable in PROVIDER_SECRET_FIELDS.items()}
        return secrets

    def _grant_task_role(self, targets: GrantTargets) -> None:
        role = self.task_definition.task_role
        # The same table statements as a catalog function with TABLE_READ and TABLE_WRITE: calls, workflows,
        # media-token nonces, DNC entries and approvals.
        # SEND_WEBHOOK_EVENTS: the brain's approvals and opt-outs are announced to the tenant's webhooks.
        # SEND_CALL_ANALYSIS: the end-of-call write queues the call's post-call analysis.
        for permission in (Permission.TABLE_READ, Permission.TABLE_WRITE, Permission.SEND_WEBHOOK_EVENTS,
                           Permission.SEND_CALL_ANALYSIS):
            for statement in GRANTS[permission](targets).statements:
                role.add_to_principal_policy(statement)
        media = targets.media_bucket
        role.add_to_principal_policy(iam.PolicyStatement(
            sid="PutRecordings", actions=MEDIA_WRITE_ACTIONS,
            resources=[media.bucket.arn_for_objects(RECORDINGS_OBJECTS)]))
        # The bucket is SSE-KMS: a PutObject needs a data key of the media key (never Decrypt: it reads nothing).
        role.add_to_principal_policy(media.key_use("PutRecordingsKey", KEY_WRITE_ACTIONS))
        role.add_to_principal_policy(iam.PolicyStatement(
            sid="PublishVoiceMetrics", actions=["cloudwatch:PutMetricData"], resources=["*"],
            conditions={"StringEquals": {"cloudwatch:namespace": METRICS_NAMESPACE}}))
        self._recordings_finding = f"AwsSolutions-IAM5[Resource::<{media.logical_id}.Arn>/{RECORDINGS_OBJECTS}]"
        # CREDENTIALS_KEY's statement (decrypt bound to the tenant's context): an approval asked mid-call is posted
        # to the tenant's Slack with its sealed bot token.
        for statement in GRANTS[Permission.CREDENTIALS_KEY](targets).statements:
            role.add_to_principal_policy(statement)

    def _load_balancer(self, certificate_arn: str,
                       log_bucket: s3.IBucket) -> tuple[elbv2.ApplicationLoadBalancer, elbv2.ApplicationTargetGroup]:
        load_balancer = elbv2.ApplicationLoadBalancer(
            self, "LoadBalancer", vpc=self.vpc, internet_facing=True,
            vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PUBLIC),
            idle_timeout=Duration.seconds(IDLE_TIMEOUT_SECONDS), drop_invalid_header_fields=True,
        )
        self._log_access(load_balancer, log_bucket)
        load_balancer.add_redirect(source_port=80, target_port=443)
        listener = load_balancer.add_listener(
            "Https", port=443, protocol=elbv2.ApplicationProtocol.HTTPS, ssl_policy=elbv2.SslPolicy.RECOMMENDED_TLS,
            certificates=[acm.Certificate.from_certificate_arn(self, "Certificate", certificate_arn)], open=True,
        )
        target_group = listener.add_targets(
            "Tasks", port=CONTAINER_PORT, protocol=elbv2.ApplicationProtocol.HTTP,
            targets=[self.service.load_balancer_target(container_name="voice", container_port=CONTAINER_PORT)],
            deregistration_delay=Duration.seconds(DEREGISTRATION_DELAY_SECONDS),
            health_check=elbv2.HealthCheck(path=HEALTH_PATH, healthy_http_codes="200",
                                           interval=Duration.seconds(15), timeout=Duration.seconds(5),
                                           healthy_threshold_count=2, unhealthy_threshold_count=3),
        )
        self._drop_redundant_dependency(listener)
        return load_balancer, target_group

    def _drop_redundant_dependency(self, listener: elbv2.ApplicationListener) -> None:
        """CDK makes the service depend on the listener and its target group; `TargetGroupArn: !Ref` already
        orders the target group (cfn-lint W3005). The listener must stay: ECS refuses a target group that no
        load balancer uses yet; the task role and its policy too, so a task never starts without its rights."""
        stack = Stack.of(self)
        role = self.task_definition.task_role
        policy = role.node.try_find_child("DefaultPolicy")
        needed = [listener.node.default_child, role.node.default_child,
                  policy.node.default_child if policy is not None else None]
        service = self.service.node.default_child
        service.add_override("DependsOn", [stack.get_logical_id(resource) for resource in needed if resource])

    def _log_access(self, load_balancer: elbv2.ApplicationLoadBalancer, log_bucket: s3.IBucket) -> None:
        """Access logs to the media access-log bucket (ALB logs must be SSE-S3, which that bucket is).

        `log_access_logs` needs the region at synth; the stack is region-agnostic, so the ELB log-delivery
        account of the region is looked up at deploy time from a mapping of every region CDK knows one for."""
        stack = Stack.of(self)
        accounts = RegionInfo.region_map(FactName.ELBV2_ACCOUNT)
        mapping = CfnMapping(self, "ElbLogDeliveryAccount",
                             mapping={region: {"account": account} for region, account in sorted(accounts.items())})
        delivery_account = mapping.find_in_map(stack.region, "account")
        log_bucket.add_to_resource_policy(iam.PolicyStatement(
            sid=ACCESS_LOG_SID, actions=["s3:PutObject"],
            principals=[iam.ArnPrincipal(f"arn:{stack.partition}:iam::{delivery_account}:root")],
            resources=[log_bucket.arn_for_objects(f"{ACCESS_LOG_PREFIX}/AWSLogs/{stack.account}/*")]))
        for key, value in {"access_logs.s3.enabled": "true", "access_logs.s3.bucket": log_bucket.bucket_name,
                           "access_logs.s3.prefix": ACCESS_LOG_PREFIX}.items():
            load_balancer.set_attribute(key, value)
        # The attributes are checked when the load balancer is created: the bucket must already allow it.
        policy = log_bucket.policy
        if policy is not None:
            load_balancer.node.add_dependency(policy)

    def _autoscale(self, max_tasks: int) -> None:
        scaling = self.service.auto_scale_task_count(min_capacity=MIN_TASKS, max_capacity=max_tasks)
        # Each task publishes its active calls every minute under one dimension: the Average over the
        # datapoints of a period is the mean per task, which target tracking holds at the target.
        active_calls = cloudwatch.Metric(namespace=METRICS_NAMESPACE, metric_name=ACTIVE_CALLS_METRIC,
                                         dimensions_map=self.metrics_dimension, statistic="Average",
                                         period=Duration.minutes(1))
        # Scale-in is slow on purpose: a stopping task drains for as long as its longest call.
        scaling.scale_to_track_custom_metric("ActiveCallsPerTask", metric=active_calls,
                                             target_value=ACTIVE_CALLS_PER_TASK,
                                             scale_out_cooldown=Duration.seconds(60),
                                             scale_in_cooldown=Duration.minutes(10))

    def _acknowledge(self) -> None:
        acknowledge(self, self._recordings_finding,
                    "Recording keys are minted per call (recordings/{tenant}/{call}/): the voice plane may only "
                    "PutObject under that prefix — no read, list or delete.")
        acknowledge(self, "AwsSolutions-IAM5[Resource::*]",
                    "cloudwatch:PutMetricData supports no resource-level permissions; the grant is limited to the "
                    "voice plane's own namespace by the cloudwatch:namespace condition. The execution role's "
                    "ecr:GetAuthorizationToken likewise takes no resource (AWS requires '*').")
        acknowledge(self, "AwsSolutions-ECS2",
                    "The container's plain variables are configuration only (table and bucket names, port, "
                    "metric namespace); every secret reaches it as an ECS secret from Secrets Manager.")
        acknowledge(self, "AwsSolutions-EC23",
                    "The voice plane's load balancer takes the carriers' media streams (Twilio, Exotel), which "
                    "come from the carriers' clouds without a fixed address range; port 80 only redirects to 443, "
                    "and every socket must present a signed single-use media token before anything runs.")
