"""CDK context overrides: where the layer comes from and who sends email."""

from __future__ import annotations

from pathlib import Path

import pytest
from aws_cdk import App, Stack

from infra_cdk.constructs.dependency_layer import DependencyLayers
from infra_cdk.deployment_settings import REPO_ROOT, DeploymentSettings

pytestmark = pytest.mark.infra


def _settings(**context: str) -> DeploymentSettings:
    return DeploymentSettings.from_context(App(context=context).node)


def test_defaults_are_the_built_layer_and_the_no_reply_sender() -> None:
    settings = _settings()
    assert settings.layer_asset_dir == REPO_ROOT / "layers" / "build"
    assert settings.email_sender == "no-reply@callfunnel.ai"
    assert settings.email_sender_domain == "callfunnel.ai"


def test_a_relative_layer_dir_is_read_from_the_repo_root_and_an_absolute_one_as_is(tmp_path: Path) -> None:
    assert _settings(layer_asset_dir="layers/other").layer_asset_dir == REPO_ROOT / "layers" / "other"
    assert _settings(layer_asset_dir=str(tmp_path)).layer_asset_dir == tmp_path


def test_email_sender_domain_follows_the_context() -> None:
    assert _settings(email_sender="calls@mail.example.com").email_sender_domain == "mail.example.com"


def test_an_email_sender_without_a_domain_is_refused() -> None:
    with pytest.raises(ValueError, match="email_sender"):
        _settings(email_sender="no-reply")


def test_a_missing_layer_build_says_how_to_make_it(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"make layer"):
        DependencyLayers(Stack(App(), "Stack"), "Dependencies", build_dir=tmp_path / "never-built")


def test_without_a_voice_domain_the_stack_has_no_voice_plane_and_its_defaults_hold() -> None:
    settings = _settings()
    assert (settings.voice_domain_name, settings.voice_certificate_arn, settings.voice_secret_name) == (None,) * 3
    assert settings.voice_max_tasks == 10


def test_a_voice_domain_and_its_certificate_go_together() -> None:
    with pytest.raises(ValueError, match="go together"):
        _settings(voice_domain_name="voice.example.com")
    with pytest.raises(ValueError, match="go together"):
        _settings(voice_certificate_arn="arn:aws:acm:us-east-1:123456789012:certificate/abc")
    with pytest.raises(ValueError, match="certificate ARN"):
        _settings(voice_domain_name="voice.example.com", voice_certificate_arn="voice-cert")
    settings = _settings(voice_domain_name="voice.example.com", voice_max_tasks="30",
                         voice_certificate_arn="arn:aws:acm:us-east-1:123456789012:certificate/abc")
    assert settings.voice_domain_name == "voice.example.com" and settings.voice_max_tasks == 30


def test_the_voice_plane_keeps_one_task_per_availability_zone() -> None:
    with pytest.raises(ValueError, match="at least 2"):
        _settings(voice_max_tasks="1")
