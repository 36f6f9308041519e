"""The web console in the cloud: CloudFront in front of the HTTP API, with the console's files from a private bucket.

One origin for the browser, so the `cf_session` cookie and the CSRF checks apply unchanged:
- the **default behaviour** goes to the HTTP API: every method, nothing cached, every viewer header, cookie and
  query string forwarded except Host (API Gateway answers only to its own host name);
- **`/index.html`** (and `/`, the default root object) and **`/assets/*`** go to a private S3 bucket through Origin
  Access Control. index.html is never cached (it names the current bundles); the content-hashed assets are cached
  for a year. The console uses hash routes (`/#/campaigns/…`), so no other path is ever the console's.
- A viewer-request function on the default behaviour answers a bare `/` with a redirect to `/index.html`. Whether
  CloudFront applies the default root object before or after it picks a behaviour, `/` ends at the console, never
  at the API (which would answer a JSON 404).

The files are not part of the stack: `python -m infra_cdk.publish_console` (run by `make deploy` after `cdk deploy`)
uploads console/dist — hashed assets first, then index.html — and invalidates index.html. So synth never needs a
Node build, and the stack holds no bucket-deployment Lambda (whose S3 grants are wildcards).
"""

from __future__ import annotations

from aws_cdk import Duration, Fn, RemovalPolicy
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra_cdk.nag import acknowledge
from infra_local.console_assets import CSP_DIRECTIVES

INDEX = "index.html"
ASSETS_PATTERN = "/assets/*"
#: Console responses may load from this origin only; media also from the media bucket (presigned recordings and
#: opener previews): the laptop's policy (infra_local/console_assets.py), one definition for both.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=()"
HSTS_MAX_AGE = Duration.days(730)
DISTRIBUTION_LOG_PREFIX = "cloudfront/"
DISTRIBUTION_LOG_DAYS = 365

#: `/` → `/index.html` (CloudFront Functions, JavaScript runtime 2.0).
ROOT_REDIRECT_CODE = """
function handler(event) {
  var request = event.request;
  if (request.uri === "/") {
    return {statusCode: 302, statusDescription: "Found", headers: {location: {value: "/index.html"},
            "cache-control": {value: "no-store"}}};
  }
  return request;
}
"""


def content_security_policy(media_sources: tuple[str, ...]) -> str:
    directives = {**CSP_DIRECTIVES, "media-src": CSP_DIRECTIVES["media-src"] + media_sources}
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


class ConsoleSite(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, api_endpoint: str, media_bucket: s3.IBucket) -> None:
        super().__init__(scope, construct_id)
        # Neither bucket logs its own accesses (cdk-nag S1, acknowledged below): the files are reachable only through
        # the distribution (Origin Access Control), whose access logs name every request.
        self.bucket = s3.Bucket(
            self, "Files",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            encryption=s3.BucketEncryption.S3_MANAGED,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            # Rebuilt from the repository at every deploy: nothing here is tenant data.
            removal_policy=RemovalPolicy.DESTROY,
        )
        # CloudFront's standard logs are written with ACLs: a bucket of their own that allows them.
        self.distribution_logs = s3.Bucket(
            self, "DistributionLogs",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            encryption=s3.BucketEncryption.S3_MANAGED,
            object_ownership=s3.ObjectOwnership.OBJECT_WRITER,
            lifecycle_rules=[s3.LifecycleRule(id="ExpireDistributionLogs",
                                              expiration=Duration.days(DISTRIBUTION_LOG_DAYS))],
            removal_policy=RemovalPolicy.RETAIN,
        )
        api_origin = origins.HttpOrigin(
            Fn.select(2, Fn.split("/", api_endpoint)),  # https://{id}.execute-api.{region}.amazonaws.com → host
            protocol_policy=cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
            origin_ssl_protocols=[cloudfront.OriginSslPolicy.TLS_V1_2],
        )
        files_origin = origins.S3BucketOrigin.with_origin_access_control(self.bucket)
        media_sources = (f"https://{media_bucket.bucket_regional_domain_name}",
                         f"https://{media_bucket.bucket_domain_name}")
        console_headers = self._console_headers(media_sources)
        files = {
            "origin": files_origin,
            "viewer_protocol_policy": cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
            "allowed_methods": cloudfront.AllowedMethods.ALLOW_GET_HEAD,
            "compress": True,
            "response_headers_policy": console_headers,
        }
        self.distribution = cloudfront.Distribution(
            self, "Distribution",
            comment="CallFunnel: the console (S3) and the API (HTTP API) on one origin",
            default_behavior=cloudfront.BehaviorOptions(
                origin=api_origin,
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
                allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
                cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
                origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
                response_headers_policy=self._api_headers(),
                function_associations=[cloudfront.FunctionAssociation(
                    function=cloudfront.Function(
                        self, "RootToConsole",
                        code=cloudfront.FunctionCode.from_inline(ROOT_REDIRECT_CODE),
                        runtime=cloudfront.FunctionRuntime.JS_2_0,
                        comment="Sends / to /index.html (the console)",
                    ),
                    event_type=cloudfront.FunctionEventType.VIEWER_REQUEST,
                )],
            ),
            additional_behaviors={
                f"/{INDEX}": cloudfront.BehaviorOptions(cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
                                                        **files),
                ASSETS_PATTERN: cloudfront.BehaviorOptions(cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                                                           **files),
            },
            default_root_object=INDEX,
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            enable_logging=True,
            log_bucket=self.distribution_logs,
            log_file_prefix=DISTRIBUTION_LOG_PREFIX,
        )
        self._acknowledge()

    @property
    def url(self) -> str:
        return f"https://{self.distribution.distribution_domain_name}"

    def _console_headers(self, media_sources: tuple[str, ...]) -> cloudfront.ResponseHeadersPolicy:
        return cloudfront.ResponseHeadersPolicy(
            self, "ConsoleHeaders",
            comment="The console's security headers: a CSP of this origin (and the media bucket) only",
            security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
                content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                    content_security_policy=content_security_policy(media_sources), override=True),
                content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
                frame_options=cloudfront.ResponseHeadersFrameOptions(
                    frame_option=cloudfront.HeadersFrameOption.DENY, override=True),
                referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                    referrer_policy=cloudfront.HeadersReferrerPolicy.SAME_ORIGIN, override=True),
                strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                    access_control_max_age=HSTS_MAX_AGE, include_subdomains=True, override=True),
            ),
            custom_headers_behavior=cloudfront.ResponseCustomHeadersBehavior(custom_headers=[
                cloudfront.ResponseCustomHeader(header="Permissions-Policy", value=PERMISSIONS_POLICY, override=True),
            ]),
        )

    def _api_headers(self) -> cloudfront.ResponseHeadersPolicy:
        """The API's own headers pass through (its /docs page has its own scripts: no console CSP there)."""
        return cloudfront.ResponseHeadersPolicy(
            self, "ApiHeaders",
            comment="HTTPS only and no MIME sniffing on API responses",
            security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
                content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
                strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                    access_control_max_age=HSTS_MAX_AGE, include_subdomains=True, override=True),
            ),
        )

    def _acknowledge(self) -> None:
        acknowledge(self, "AwsSolutions-CFR1",
                    "Tenants call from every country the product serves (US, India, UK, …): no geo restriction.")
        acknowledge(self, "AwsSolutions-CFR2",
                    "No WAF yet: abuse is limited in the API itself (per-tenant token buckets, per-IP signup, "
                    "login and preview limits); a web ACL must live in us-east-1 and is an ops decision.")
        acknowledge(self, "AwsSolutions-CFR4",
                    "The distribution's default *.cloudfront.net certificate fixes the viewer TLS floor; a custom "
                    "domain (an ops decision) brings its own certificate and minimum protocol version.")
        acknowledge(self, "AwsSolutions-S1",
                    "The console's files are reachable only through the distribution (Origin Access Control), whose "
                    "access logs name every request; the other bucket holds those logs (logs of logs add nothing).")
