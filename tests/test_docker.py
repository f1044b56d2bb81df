"""The container files hold together: what the image needs is copied, it runs as a
non-root user with a healthcheck, and compose runs two replicas behind a balancer
that passes WebSockets. (CI also validates compose.yaml with `docker compose config`.)"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
DOCKER = ROOT / "docker"


def _final_stage(dockerfile: str) -> str:
    return dockerfile.rsplit("\nFROM ", 1)[1]


def test_the_image_copies_every_directory_the_hub_reads_at_run_time() -> None:
    final = _final_stage((DOCKER / "Dockerfile").read_text())
    copied = set(re.findall(r"^COPY (?:--\S+ )*(\S+) ", final, re.MULTILINE))
    for needed in ("hub", "migrations", "policies", "schema"):
        assert needed in copied, f"docker/Dockerfile does not copy {needed}/"


def test_the_image_runs_as_a_non_root_user_with_a_readiness_healthcheck() -> None:
    final = _final_stage((DOCKER / "Dockerfile").read_text())
    users = re.findall(r"^USER (\S+)", final, re.MULTILINE)
    assert users
    assert users[-1] not in ("root", "0")
    assert "HEALTHCHECK" in final
    assert "/readyz" in final
    assert "HUB_ENV=prod" in final


def test_compose_runs_two_replicas_of_one_image_behind_a_websocket_balancer() -> None:
    compose = yaml.safe_load((DOCKER / "compose.yaml").read_text())
    services = compose["services"]
    hubs = [s for s in services.values() if s.get("image") == "county-hub:latest"]
    assert len(hubs) == 2
    for hub in hubs:
        env = hub["environment"]
        assert env["HUB_DATABASE_URL"].endswith("@postgres:5432/hub")
        assert env["OTEL_EXPORTER_OTLP_ENDPOINT"].startswith("http://otel-collector:")
        assert hub["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert {"postgres", "lb", "otel-collector", "jaeger"} <= set(services)
    nginx = (DOCKER / "nginx.conf").read_text()
    assert "proxy_set_header Upgrade $http_upgrade" in nginx
    assert all(f"server {name}:8000" in nginx for name in ("hub-1", "hub-2"))
    assert "proxy_buffering off" in nginx  # server-sent events


def test_the_collector_sends_traces_to_the_viewer() -> None:
    config = yaml.safe_load((DOCKER / "otel-collector.yaml").read_text())
    assert config["service"]["pipelines"]["traces"]["exporters"] == ["otlp/jaeger"]
    assert "4318" in config["receivers"]["otlp"]["protocols"]["http"]["endpoint"]
