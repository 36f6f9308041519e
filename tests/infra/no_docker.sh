#!/bin/sh
# CDK_DOCKER for the infra tests' synth (tests/infra/conftest.py): synth must never run Docker (FACTS), so any
# docker command CDK issues fails the synthesis loudly, even on a machine where Docker works.
echo "CDK ran 'docker $*' during synth: synth must not need Docker" >&2
exit 97
