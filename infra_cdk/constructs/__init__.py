"""One construct per capability of the stack; `infra_cdk.stack` composes them."""
