"""The cloud: one CDK stack generated from `functions.catalog` (see `infra_cdk.app`)."""
