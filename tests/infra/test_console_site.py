"""The console in the cloud: CloudFront serves it from a private bucket on the API's own origin."""

from __future__ import annotations

from typing import Any

from infra_cdk.constructs.console_site import ROOT_REDIRECT_CODE
from infra_local import console_assets
from tests.infra.synthesis import Resource, Synthesis
from tests.infra.template_queries import bucket_policy_statements, referenced_id

CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
ALL_VIEWER_EXCEPT_HOST_HEADER = "b689b0a8-53d0-40ab-baf2-68738e2966ac"


def distribution(synthesis: Synthesis) -> dict[str, Any]:
    _, resource = synthesis.the_one("AWS::CloudFront::Distribution")
    return resource["Properties"]["DistributionConfig"]


def behaviour(synthesis: Synthesis, pattern: str) -> dict[str, Any]:
    (found,) = [b for b in distribution(synthesis)["CacheBehaviors"] if b["PathPattern"] == pattern]
    return found


def origin(synthesis: Synthesis, origin_id: str) -> dict[str, Any]:
    (found,) = [o for o in distribution(synthesis)["Origins"] if o["Id"] == origin_id]
    return found


def headers_policy(synthesis: Synthesis, reference: dict) -> Resource:
    return synthesis.resources[referenced_id(reference)]["Properties"]["ResponseHeadersPolicyConfig"]


def test_only_the_consoles_paths_go_to_the_bucket_everything_else_to_the_api(synthesis: Synthesis) -> None:
    config = distribution(synthesis)
    assert sorted(b["PathPattern"] for b in config["CacheBehaviors"]) == ["/assets/*", "/index.html"]
    assert config["DefaultRootObject"] == "index.html"
    api = origin(synthesis, config["DefaultCacheBehavior"]["TargetOriginId"])
    assert "CustomOriginConfig" in api
    assert api["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    assert "Fn::Select" in api["DomainName"]  # the host part of the HTTP API's endpoint
    for pattern in ("/index.html", "/assets/*"):
        files = origin(synthesis, behaviour(synthesis, pattern)["TargetOriginId"])
        assert "S3OriginConfig" in files
        assert files.get("OriginAccessControlId"), "the bucket is reached through Origin Access Control"


def test_the_api_is_never_cached_and_gets_every_method_cookie_and_header_but_host(synthesis: Synthesis) -> None:
    default = distribution(synthesis)["DefaultCacheBehavior"]
    assert default["CachePolicyId"] == CACHING_DISABLED
    assert default["OriginRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST_HEADER
    assert set(default["AllowedMethods"]) == {"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"}
    assert default["ViewerProtocolPolicy"] == "https-only"


def test_index_is_never_cached_and_hashed_assets_are(synthesis: Synthesis) -> None:
    assert behaviour(synthesis, "/index.html")["CachePolicyId"] == CACHING_DISABLED
    assert behaviour(synthesis, "/assets/*")["CachePolicyId"] == CACHING_OPTIMIZED
    for pattern in ("/index.html", "/assets/*"):
        assert set(behaviour(synthesis, pattern)["AllowedMethods"]) == {"GET", "HEAD"}


def test_a_bare_slash_reaches_the_console_whichever_way_cloudfront_matches_it(synthesis: Synthesis) -> None:
    (association,) = distribution(synthesis)["DefaultCacheBehavior"]["FunctionAssociations"]
    assert association["EventType"] == "viewer-request"
    function = synthesis.resources[referenced_id(association["FunctionARN"])]["Properties"]
    assert function["FunctionCode"] == ROOT_REDIRECT_CODE
    assert 'request.uri === "/"' in ROOT_REDIRECT_CODE and '"/index.html"' in ROOT_REDIRECT_CODE


def test_console_responses_carry_a_csp_of_this_origin_and_the_media_bucket(synthesis: Synthesis) -> None:
    config = headers_policy(synthesis, behaviour(synthesis, "/assets/*")["ResponseHeadersPolicyId"])
    assert headers_policy(synthesis, behaviour(synthesis, "/index.html")["ResponseHeadersPolicyId"]) == config
    security = config["SecurityHeadersConfig"]
    policy = security["ContentSecurityPolicy"]["ContentSecurityPolicy"]
    joined = policy["Fn::Join"][1] if isinstance(policy, dict) else [policy]
    text = "".join(part if isinstance(part, str) else "<token>" for part in joined)
    assert text.startswith("default-src 'self'; script-src 'self'")
    assert "media-src 'self' https://<token> https://<token>" in text
    assert security["FrameOptions"]["FrameOption"] == "DENY"
    assert security["ContentTypeOptions"]["Override"] is True
    assert security["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31_536_000


def test_the_cloud_serves_the_laptops_policy_with_the_media_bucket_added(synthesis: Synthesis) -> None:
    policy = headers_policy(synthesis, behaviour(synthesis, "/index.html")["ResponseHeadersPolicyId"])[
        "SecurityHeadersConfig"]["ContentSecurityPolicy"]["ContentSecurityPolicy"]
    joined = policy["Fn::Join"][1] if isinstance(policy, dict) else [policy]
    cloud = "".join(part if isinstance(part, str) else "<token>" for part in joined).split("; ")
    laptop = [f"{name} {' '.join(sources)}" for name, sources in console_assets.CSP_DIRECTIVES.items()]
    assert [d for d in cloud if not d.startswith("media-src")] == [d for d in laptop if not d.startswith("media-src")]
    assert next(d for d in cloud if d.startswith("media-src")).startswith("media-src 'self' https://")


def test_the_console_bucket_is_private_and_its_requests_are_logged_by_the_distribution(synthesis: Synthesis) -> None:
    config = distribution(synthesis)
    files = origin(synthesis, behaviour(synthesis, "/assets/*")["TargetOriginId"])
    bucket_id = referenced_id(files["DomainName"])
    bucket = synthesis.resources[bucket_id]["Properties"]
    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True, "BlockPublicPolicy": True, "IgnorePublicAcls": True, "RestrictPublicBuckets": True}
    (read,) = [s for s in bucket_policy_statements(synthesis, bucket_id) if s["Effect"] == "Allow"]
    assert read["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert read["Action"] == "s3:GetObject"
    assert config["Logging"]["Bucket"]


def test_cookie_writes_from_the_console_pass_the_csrf_origin_check(synthesis: Synthesis) -> None:
    """Every function trusts the distribution's URL as an origin of cookie-authenticated writes."""
    for function in synthesis.of_type("AWS::Lambda::Function").values():
        trusted = function["Properties"]["Environment"]["Variables"]["CSRF_TRUSTED_ORIGINS"]
        assert "DomainName" in str(trusted)


def test_the_console_adds_no_lambda_to_the_stack(synthesis: Synthesis) -> None:
    """Its files are published after the deploy (infra_cdk/publish_console.py): no bucket-deployment function."""
    assert not [resource for resource in synthesis.resources.values()
                if resource["Type"] == "Custom::CDKBucketDeployment"]
