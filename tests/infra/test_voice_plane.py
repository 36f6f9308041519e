"""The voice plane's construct (infra_cdk/constructs/voice_plane.py) on the shared synth: a Fargate service from
voice/Dockerfile behind an HTTPS load balancer that outlasts the longest call, draining calls on deploys,
scaling on active calls per task, with ECS secrets and least-privilege roles."""

from __future__ import annotations

import json
import os
import re
from typing import Any

import pytest

from functions.catalog import FUNCTIONS
from infra_cdk.constructs.media_stream_secret import DESCRIPTION as MEDIA_STREAM_SECRET
from infra_cdk.constructs.voice_plane import (
    ACCESS_LOG_PREFIX,
    ACCESS_LOG_SID,
    ACTIVE_CALLS_METRIC,
    LONGEST_CALL_SECONDS,
    METRICS_NAMESPACE,
    PROVIDER_SECRET_FIELDS,
    URL_RECIPIENTS,
)
from infra_cdk.deployment_settings import REPO_ROOT
from shared.workflows.validator import CALL_SECONDS
from tests.infra.conftest import NO_DOCKER
from tests.infra.synthesis import (
    VOICE_CERTIFICATE_ARN,
    VOICE_DOMAIN_NAME,
    VOICE_SECRET_NAME,
    Resource,
    Synthesis,
)
from tests.infra.template_queries import as_list, bucket_policy_statements, lambda_of, media_buckets, referenced_id

pytestmark = pytest.mark.infra

LONGEST_CALL = CALL_SECONDS[1]
#: AWS limits: ALB idle timeout, target group deregistration delay, Fargate container stopTimeout.
ALB_MAX_IDLE_TIMEOUT = 4000
MAX_DEREGISTRATION_DELAY = 3600
FARGATE_MAX_STOP_TIMEOUT = 120


def _voice(synthesis: Synthesis, resource_type: str) -> tuple[str, Resource]:
    (found,) = [(logical_id, resource) for logical_id, resource in synthesis.of_type(resource_type).items()
                if logical_id.startswith("VoicePlane")]
    return found


def _container(synthesis: Synthesis) -> dict[str, Any]:
    _, task = _voice(synthesis, "AWS::ECS::TaskDefinition")
    (container,) = task["Properties"]["ContainerDefinitions"]
    return container


def _attributes(resource: Resource, key: str) -> dict[str, Any]:
    return {attribute["Key"]: attribute["Value"] for attribute in resource["Properties"][key]}


def _role_statements(synthesis: Synthesis, role_id: str) -> list[dict[str, Any]]:
    return [statement for policy in synthesis.of_type("AWS::IAM::Policy").values()
            if {"Ref": role_id} in policy["Properties"]["Roles"]
            for statement in policy["Properties"]["PolicyDocument"]["Statement"]]


def _task_role_statements(synthesis: Synthesis) -> list[dict[str, Any]]:
    _, task = _voice(synthesis, "AWS::ECS::TaskDefinition")
    return _role_statements(synthesis, referenced_id(task["Properties"]["TaskRoleArn"]))


def _execution_role_statements(synthesis: Synthesis) -> list[dict[str, Any]]:
    _, task = _voice(synthesis, "AWS::ECS::TaskDefinition")
    return _role_statements(synthesis, referenced_id(task["Properties"]["ExecutionRoleArn"]))


def _image_asset(synthesis: Synthesis) -> dict[str, Any]:
    manifest = json.loads((synthesis.assembly_dir / "CallFunnel.assets.json").read_text())
    (image,) = manifest["dockerImages"].values()
    return image


def test_the_construct_knows_the_longest_call_a_rule_book_may_ask_for() -> None:
    assert LONGEST_CALL_SECONDS == CALL_SECONDS[1]


# --- The image ---------------------------------------------------------------------------------------------------

def test_the_service_runs_on_fargate_from_the_image_asset_of_voice_dockerfile(synthesis: Synthesis) -> None:
    _, service = _voice(synthesis, "AWS::ECS::Service")
    assert service["Properties"]["LaunchType"] == "FARGATE"
    image = _image_asset(synthesis)
    assert image["source"]["dockerFile"] == "voice/Dockerfile"
    assert image["source"]["platform"] == "linux/amd64"
    # Synth only stages the build context: the CLI builds and pushes the image when assets are published.
    assert set(image["source"]) == {"directory", "dockerFile", "platform"}
    tag = next(iter(image["destinations"].values()))["imageTag"]
    assert tag in json.dumps(_container(synthesis)["Image"])


def test_synth_ran_with_docker_forbidden(synthesis: Synthesis) -> None:
    # Any docker command CDK issued would have failed the shared synth (tests/infra/conftest.py).
    assert os.environ["CDK_DOCKER"] == str(NO_DOCKER) and os.access(NO_DOCKER, os.X_OK)
    assert (synthesis.assembly_dir / _image_asset(synthesis)["source"]["directory"]).is_dir()


def test_the_staged_build_context_is_requirements_voice_and_shared_only(synthesis: Synthesis) -> None:
    staged = synthesis.assembly_dir / _image_asset(synthesis)["source"]["directory"]
    assert {entry.name for entry in staged.iterdir()} == {".dockerignore", "requirements.txt", "voice", "shared"}
    assert not list(staged.rglob("__pycache__"))
    assert (staged / "voice" / "Dockerfile").is_file() and (staged / "voice" / "requirements.txt").is_file()


def test_the_dockerfile_installs_both_requirements_runs_as_non_root_and_checks_health() -> None:
    dockerfile = (REPO_ROOT / "voice" / "Dockerfile").read_text()
    instructions = [line for line in dockerfile.splitlines() if line and not line.startswith((" ", "#"))]
    assert instructions[0] == "FROM python:3.12-slim"
    assert "-r requirements.txt -r voice/requirements.txt" in dockerfile
    assert {line for line in instructions if line.startswith("COPY")} == {
        "COPY requirements.txt ./requirements.txt", "COPY voice/requirements.txt ./voice/requirements.txt",
        "COPY shared/ ./shared/", "COPY voice/ ./voice/"}
    user = [line for line in instructions if line.startswith("USER")]
    assert user and user[-1] not in ("USER root", "USER 0")
    assert any(line.startswith("HEALTHCHECK") for line in instructions) and "/healthz" in dockerfile
    assert instructions[-1] == 'CMD ["python", "-m", "voice"]' and "VOICE_PLANE_HOST=0.0.0.0" in dockerfile


def test_the_docker_context_ignores_everything_but_what_the_image_copies() -> None:
    patterns = [line for line in (REPO_ROOT / ".dockerignore").read_text().splitlines()
                if line and not line.startswith("#")]
    assert patterns[0] == "*"
    assert {line for line in patterns if line.startswith("!")} == {"!requirements.txt", "!voice", "!shared"}


def test_no_lambda_package_holds_the_voice_plane_or_its_dependencies(synthesis: Synthesis) -> None:
    image_dir = _image_asset(synthesis)["source"]["directory"]
    lambda_assets = [asset for asset in synthesis.assembly_dir.glob("asset.*") if asset.name != image_dir]
    assert lambda_assets
    for asset in lambda_assets:
        assert not (asset / "voice").exists(), asset.name
        for dependency in ("pipecat", "fastapi", "uvicorn", "onnxruntime"):
            assert not (asset / "python" / dependency).exists(), (asset.name, dependency)


# --- Load balancer ------------------------------------------------------------------------------------------------

def test_the_load_balancer_is_public_and_its_idle_timeout_outlasts_the_longest_call(synthesis: Synthesis) -> None:
    _, load_balancer = _voice(synthesis, "AWS::ElasticLoadBalancingV2::LoadBalancer")
    attributes = _attributes(load_balancer, "LoadBalancerAttributes")
    assert load_balancer["Properties"]["Scheme"] == "internet-facing"
    assert LONGEST_CALL < int(attributes["idle_timeout.timeout_seconds"]) <= ALB_MAX_IDLE_TIMEOUT
    assert attributes["routing.http.drop_invalid_header_fields.enabled"] == "true"
    assert attributes["access_logs.s3.enabled"] == "true"


def test_https_serves_the_certificate_from_context_and_http_only_redirects(synthesis: Synthesis) -> None:
    listeners = {listener["Properties"]["Port"]: listener["Properties"]
                 for logical_id, listener in synthesis.of_type("AWS::ElasticLoadBalancingV2::Listener").items()
                 if logical_id.startswith("VoicePlane")}
    assert set(listeners) == {80, 443}
    https = listeners[443]
    assert https["Protocol"] == "HTTPS"
    assert https["Certificates"] == [{"CertificateArn": VOICE_CERTIFICATE_ARN}]
    assert https["SslPolicy"].startswith("ELBSecurityPolicy-TLS13-1-2")  # TLS 1.2 and 1.3 only
    (forward,) = https["DefaultActions"]
    assert forward["Type"] == "forward"
    (redirect,) = listeners[80]["DefaultActions"]
    assert redirect == {"Type": "redirect",
                        "RedirectConfig": {"Port": "443", "Protocol": "HTTPS", "StatusCode": "HTTP_301"}}


def test_targets_are_checked_on_healthz_and_drained_for_longer_than_the_longest_call(synthesis: Synthesis) -> None:
    _, target_group = _voice(synthesis, "AWS::ElasticLoadBalancingV2::TargetGroup")
    properties = target_group["Properties"]
    assert properties["HealthCheckPath"] == "/healthz" and properties["Matcher"] == {"HttpCode": "200"}
    assert properties["TargetType"] == "ip" and properties["Port"] == 8765
    delay = int(_attributes(target_group, "TargetGroupAttributes")["deregistration_delay.timeout_seconds"])
    assert LONGEST_CALL < delay <= MAX_DEREGISTRATION_DELAY


# --- Service, tasks, container ------------------------------------------------------------------------------------

def test_deploys_start_new_tasks_first_roll_back_on_failure_and_stop_gracefully(synthesis: Synthesis) -> None:
    _, service = _voice(synthesis, "AWS::ECS::Service")
    deployment = service["Properties"]["DeploymentConfiguration"]
    assert deployment["MinimumHealthyPercent"] == 100 and deployment["MaximumPercent"] == 200
    assert deployment["DeploymentCircuitBreaker"] == {"Enable": True, "Rollback": True}
    assert _container(synthesis)["StopTimeout"] == FARGATE_MAX_STOP_TIMEOUT


def test_tasks_run_in_private_subnets_reachable_only_from_the_load_balancer(synthesis: Synthesis) -> None:
    _, service = _voice(synthesis, "AWS::ECS::Service")
    network = service["Properties"]["NetworkConfiguration"]["AwsvpcConfiguration"]
    assert network["AssignPublicIp"] == "DISABLED"
    for subnet in network["Subnets"]:
        assert synthesis.resources[referenced_id(subnet)]["Properties"]["MapPublicIpOnLaunch"] is False
    (security_group,) = network["SecurityGroups"]
    ingress = [rule["Properties"] for rule in synthesis.of_type("AWS::EC2::SecurityGroupIngress").values()
               if rule["Properties"]["GroupId"] == security_group]
    (only,) = ingress
    _, load_balancer = _voice(synthesis, "AWS::ElasticLoadBalancingV2::LoadBalancer")
    assert only["SourceSecurityGroupId"] in load_balancer["Properties"]["SecurityGroups"]
    assert only["FromPort"] == only["ToPort"] == 8765


def test_the_container_listens_on_all_interfaces_and_checks_its_own_health(synthesis: Synthesis) -> None:
    container = _container(synthesis)
    environment = {variable["Name"]: variable["Value"] for variable in container["Environment"]}
    assert environment["VOICE_PLANE_HOST"] == "0.0.0.0"
    assert environment["VOICE_PLANE_PORT"] == "8765"
    assert environment["AWS_REGION"] == {"Ref": "AWS::Region"} and environment["CALLFUNNEL_ENVIRONMENT"] == "aws"
    assert container["PortMappings"] == [{"ContainerPort": 8765, "Protocol": "tcp"}]
    assert "/healthz" in " ".join(container["HealthCheck"]["Command"])


def test_the_cluster_has_container_insights(synthesis: Synthesis) -> None:
    _, cluster = _voice(synthesis, "AWS::ECS::Cluster")
    assert {"Name": "containerInsights", "Value": "enabled"} in cluster["Properties"]["ClusterSettings"]


def test_voice_logs_and_flow_logs_are_encrypted_with_the_platform_key(synthesis: Synthesis) -> None:
    log_config = _container(synthesis)["LogConfiguration"]
    assert log_config["LogDriver"] == "awslogs"
    log_group = synthesis.resources[referenced_id(log_config["Options"]["awslogs-group"])]
    (flow_log,) = synthesis.of_type("AWS::EC2::FlowLog").values()
    flow_log_group = synthesis.resources[referenced_id(flow_log["Properties"]["LogGroupName"])]
    for group in (log_group, flow_log_group):
        key = synthesis.resources[referenced_id(group["Properties"]["KmsKeyId"])]
        assert key["Properties"]["Description"].startswith("Encrypts CallFunnel's log groups")


# --- Secrets ------------------------------------------------------------------------------------------------------

def test_secrets_are_ecs_secrets_never_plain_variables(synthesis: Synthesis) -> None:
    container = _container(synthesis)
    secrets = {secret["Name"]: json.dumps(secret["ValueFrom"]) for secret in container["Secrets"]}
    media_secret_id = next(logical_id for logical_id, secret in synthesis.of_type("AWS::SecretsManager::Secret").items()
                           if secret["Properties"].get("Description", "") == MEDIA_STREAM_SECRET)
    # The media-stream key the voice webhook mints tokens with; never the JWT signing secret.
    assert secrets["MEDIA_STREAM_SECRET"] == json.dumps({"Ref": media_secret_id}) and "JWT_SECRET" not in secrets
    for field, variable in PROVIDER_SECRET_FIELDS.items():
        assert f":secret:{VOICE_SECRET_NAME}:{field}::" in secrets[variable]
    plain = {variable["Name"] for variable in container["Environment"]}
    assert not plain & set(secrets)
    assert not [name for name in plain if re.search(r"SECRET|TOKEN|_KEY$|PASSWORD", name)]


# --- Autoscaling --------------------------------------------------------------------------------------------------

def test_the_service_scales_on_the_average_active_calls_per_task(synthesis: Synthesis) -> None:
    _, target = _voice(synthesis, "AWS::ApplicationAutoScaling::ScalableTarget")
    assert target["Properties"]["MinCapacity"] == 2 and target["Properties"]["MaxCapacity"] >= 2
    _, policy = _voice(synthesis, "AWS::ApplicationAutoScaling::ScalingPolicy")
    assert policy["Properties"]["PolicyType"] == "TargetTrackingScaling"
    tracking = policy["Properties"]["TargetTrackingScalingPolicyConfiguration"]
    metric = tracking["CustomizedMetricSpecification"]
    assert (metric["Namespace"], metric["MetricName"], metric["Statistic"]) == (
        METRICS_NAMESPACE, ACTIVE_CALLS_METRIC, "Average")
    # The container is told where to publish it, under the dimension the policy tracks.
    environment = {variable["Name"]: variable["Value"] for variable in _container(synthesis)["Environment"]}
    assert environment["VOICE_METRICS_NAMESPACE"] == METRICS_NAMESPACE
    assert metric["Dimensions"] == [{"Name": "Stack", "Value": environment["VOICE_METRICS_STACK"]}]
    assert 0 < tracking["TargetValue"] < 25  # below what one task's core keeps up with (make bench)


def test_the_autoscaling_target_keeps_a_tasks_core_about_half_busy_at_the_cpu_make_bench_measured() -> None:
    from infra_cdk.constructs.voice_plane import (
        ACTIVE_CALLS_PER_TASK,
        MEASURED_CPU_MS_PER_CALL_SECOND,
        SCALE_OUT_AT_CORE_SHARE,
        TASK_CPU,
    )

    core_ms_per_second = 1000 * TASK_CPU / 1024
    busy_at_target = ACTIVE_CALLS_PER_TASK * MEASURED_CPU_MS_PER_CALL_SECOND / core_ms_per_second
    assert busy_at_target <= SCALE_OUT_AT_CORE_SHARE + 0.05  # within a call of it
    assert (ACTIVE_CALLS_PER_TASK + 1) * MEASURED_CPU_MS_PER_CALL_SECOND / core_ms_per_second > SCALE_OUT_AT_CORE_SHARE


def test_the_voice_plane_publishes_exactly_the_metric_the_policy_tracks(synthesis: Synthesis, monkeypatch) -> None:
    from shared.platform.settings import reset_settings
    from shared.providers.metrics.active_calls import active_calls_gauge

    _, policy = _voice(synthesis, "AWS::ApplicationAutoScaling::ScalingPolicy")
    tracked = policy["Properties"]["TargetTrackingScalingPolicyConfiguration"]["CustomizedMetricSpecification"]
    environment = {variable["Name"]: variable["Value"] for variable in _container(synthesis)["Environment"]}
    for name in ("VOICE_METRICS_NAMESPACE", "VOICE_METRICS_STACK"):
        monkeypatch.setenv(name, environment[name])
    reset_settings()
    try:
        gauge = active_calls_gauge()  # what voice/server.py publishes with, from the task's environment
    finally:
        reset_settings()
    assert gauge is not None
    datum = gauge.datum(3)
    assert (gauge.namespace, datum["MetricName"], datum["Dimensions"]) == (
        tracked["Namespace"], tracked["MetricName"], tracked["Dimensions"])
    assert datum["Unit"] == "Count"


# --- IAM ----------------------------------------------------------------------------------------------------------

def test_the_task_role_reads_and_writes_the_table_puts_recordings_and_publishes_its_namespace_only(
    synthesis: Synthesis,
) -> None:
    statements = _task_role_statements(synthesis)
    actions = {action for statement in statements for action in as_list(statement["Action"])}
    assert not [action for action in actions if "*" in action]
    assert {action.split(":")[0] for action in actions} == {"dynamodb", "kms", "s3", "cloudwatch", "sqs"}
    sends = [statement for statement in statements if "sqs:SendMessage" in as_list(statement["Action"])]
    assert all(as_list(send["Action"]) == ["sqs:SendMessage"] for send in sends)
    environment = {variable["Name"]: variable["Value"] for variable in _container(synthesis)["Environment"]}
    # The webhook events (shared.platform.events) and the post-call analysis jobs (shared.calls.analysis_record), only.
    assert sorted(send["Resource"]["Fn::GetAtt"][0] for send in sends) == sorted(
        environment[name]["Ref"] for name in ("WEBHOOK_EVENTS_QUEUE_URL", "CALL_ANALYSIS_QUEUE_URL"))
    assert "dynamodb:Scan" not in actions and "s3:GetObject" not in actions and "s3:DeleteObject" not in actions
    (put,) = [statement for statement in statements if "s3:PutObject" in as_list(statement["Action"])]
    assert put["Resource"]["Fn::Join"][1][-1] == "/recordings/*"
    (unbounded,) = [statement for statement in statements if statement["Resource"] == "*"]
    assert unbounded["Action"] == "cloudwatch:PutMetricData"  # it supports no resource-level permissions
    assert unbounded["Condition"] == {"StringEquals": {"cloudwatch:namespace": METRICS_NAMESPACE}}


def test_the_execution_role_reads_only_the_voice_secrets_and_pulls_only_the_asset_repository(
    synthesis: Synthesis,
) -> None:
    statements = _execution_role_statements(synthesis)
    unbounded = [statement for statement in statements if statement["Resource"] == "*"]
    assert [statement["Action"] for statement in unbounded] == ["ecr:GetAuthorizationToken"]  # takes no resource
    secret_resources = [json.dumps(statement["Resource"]) for statement in statements
                        if "secretsmanager:GetSecretValue" in as_list(statement["Action"])]
    assert len(secret_resources) == 2
    assert any("MediaStreamSecret" in resource for resource in secret_resources)
    assert not any("JwtSigningSecret" in resource for resource in secret_resources)
    assert any(f"secret:{VOICE_SECRET_NAME}-??????" in resource for resource in secret_resources)


def test_the_execution_role_may_decrypt_the_platform_key_only_through_secrets_manager(synthesis: Synthesis) -> None:
    _, task = _voice(synthesis, "AWS::ECS::TaskDefinition")
    execution_role = referenced_id(task["Properties"]["ExecutionRoleArn"])
    grants = [statement for key in synthesis.of_type("AWS::KMS::Key").values()
              for statement in key["Properties"]["KeyPolicy"]["Statement"]
              if execution_role in json.dumps(statement.get("Principal"))]
    (grant,) = grants
    assert grant["Action"] == "kms:Decrypt"
    assert "kms:ViaService" in grant["Condition"]["StringEquals"]
    assert "kms:" not in json.dumps(_execution_role_statements(synthesis))


# --- The voice webhook --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("spec", FUNCTIONS, ids=lambda spec: spec.name)
def test_the_voice_webhook_alone_is_told_the_voice_planes_wss_url(synthesis: Synthesis, spec) -> None:
    _, function = lambda_of(synthesis, spec)
    variables = function["Properties"].get("Environment", {}).get("Variables", {})
    if spec.name in URL_RECIPIENTS:
        assert variables["VOICE_PLANE_URL"] == f"wss://{VOICE_DOMAIN_NAME}"
    else:
        assert "VOICE_PLANE_URL" not in variables


def test_the_voice_webhook_is_a_url_recipient() -> None:
    assert "telephony_webhooks" in URL_RECIPIENTS
    assert URL_RECIPIENTS <= {spec.name for spec in FUNCTIONS}


def test_the_stack_outputs_the_load_balancer_name_to_point_the_domain_at(synthesis: Synthesis) -> None:
    output = synthesis.outputs["VoicePlaneLoadBalancerDns"]
    load_balancer_id, _ = _voice(synthesis, "AWS::ElasticLoadBalancingV2::LoadBalancer")
    assert output["Value"] == {"Fn::GetAtt": [load_balancer_id, "DNSName"]}
    assert VOICE_DOMAIN_NAME in output["Description"]


def test_the_load_balancer_may_write_its_access_logs_under_its_own_prefix_only(synthesis: Synthesis) -> None:
    _, logs_id = media_buckets(synthesis)
    (allow,) = [statement for statement in bucket_policy_statements(synthesis, logs_id)
                if statement.get("Sid") == ACCESS_LOG_SID]
    assert allow["Action"] == "s3:PutObject"
    assert allow["Resource"] == {"Fn::Join": ["", [{"Fn::GetAtt": [logs_id, "Arn"]}, f"/{ACCESS_LOG_PREFIX}/AWSLogs/",
                                                   {"Ref": "AWS::AccountId"}, "/*"]]}
    assert "Fn::FindInMap" in json.dumps(allow["Principal"])  # the region's ELB log-delivery account
    _, load_balancer = _voice(synthesis, "AWS::ElasticLoadBalancingV2::LoadBalancer")
    attributes = _attributes(load_balancer, "LoadBalancerAttributes")
    assert attributes["access_logs.s3.bucket"] == {"Ref": logs_id}
    assert attributes["access_logs.s3.prefix"] == ACCESS_LOG_PREFIX
