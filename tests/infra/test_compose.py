"""local/docker-compose.yml: both self-host profiles, checked statically, and by `docker compose config` if present."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "local" / "docker-compose.yml"
PROFILES = ("ministack", "localstack")


@pytest.fixture(scope="module")
def services() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text())["services"]


def _in_profile(services: dict[str, Any], profile: str) -> dict[str, Any]:
    return {name: s for name, s in services.items() if profile in s.get("profiles", ())}


@pytest.mark.parametrize("profile", PROFILES)
def test_each_profile_has_its_emulator_opensearch_and_a_one_shot_deploy(services: dict[str, Any],
                                                                         profile: str) -> None:
    members = _in_profile(services, profile)
    assert set(members) == {profile, "opensearch", f"deploy-{profile}"}
    assert members[profile]["ports"] == ["127.0.0.1:4566:4566"]  # the same endpoint either way, local only
    deploy = members[f"deploy-{profile}"]
    assert deploy["command"] == ["sh", "local/compose/deploy.sh"]
    assert deploy["restart"] == "no"
    assert deploy["environment"]["EMULATOR_URL"] == f"http://{profile}:4566"
    assert deploy["environment"]["OPENSEARCH_URL"] == "http://opensearch:9200"
    assert deploy["depends_on"] == {profile: {"condition": "service_healthy"},
                                    "opensearch": {"condition": "service_healthy"}}
    assert (ROOT / "local" / "compose" / "deploy.sh").is_file()


def test_ministack_persists_and_shares_the_deploy_image(services: dict[str, Any]) -> None:
    ministack = services["ministack"]
    assert ministack["environment"]["PERSIST_STATE"] == "1"
    assert any(v.endswith(":" + ministack["environment"]["STATE_DIR"]) for v in ministack["volumes"])
    # MiniStack runs the functions on its own interpreter: the deploy must build the code with the same one.
    assert ministack["image"] == services["deploy-ministack"]["image"]
    assert "BUILD_ARGS" not in services["deploy-ministack"]["environment"]  # deploy.sh's default: --host


def test_localstack_takes_the_auth_token_from_the_environment(services: dict[str, Any]) -> None:
    localstack = services["localstack"]
    assert localstack["environment"]["LOCALSTACK_AUTH_TOKEN"] == "${LOCALSTACK_AUTH_TOKEN:-}"
    assert services["deploy-localstack"]["environment"]["BUILD_ARGS"] == ""  # real Lambda runtime images


def _compose_command() -> list[str] | None:
    docker = shutil.which("docker")
    if docker and subprocess.run([docker, "compose", "version"], capture_output=True, check=False).returncode == 0:
        return [docker, "compose"]
    legacy = shutil.which("docker-compose")
    return [legacy] if legacy else None


@pytest.mark.parametrize("profile", PROFILES)
def test_docker_compose_accepts_the_file(profile: str) -> None:
    command = _compose_command()
    if command is None:
        pytest.skip("neither `docker compose` nor `docker-compose` is installed")
    result = subprocess.run([*command, "-f", str(COMPOSE), "--profile", profile, "config", "-q"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
