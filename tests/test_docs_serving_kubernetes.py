"""The Kubernetes manifests in docs/serving-kubernetes.md parse and hang together: every YAML
block loads, each object is complete, probes and Services point at the serving port, and the
autoscaler targets a Deployment the page defines."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

PAGE = Path(__file__).resolve().parents[1] / "docs" / "serving-kubernetes.md"
BLOCK = re.compile(r"```yaml\n(.*?)```", re.DOTALL)
SERVING_PORT = 8080  # what mltrail's images and `generate-dockerfile` listen on


def manifests() -> list[dict[str, Any]]:
    blocks = BLOCK.findall(PAGE.read_text(encoding="utf-8"))
    assert blocks, "the page has no yaml blocks"
    return [doc for block in blocks for doc in yaml.safe_load_all(block) if doc is not None]


def of_kind(kind: str) -> list[dict[str, Any]]:
    return [doc for doc in manifests() if doc["kind"] == kind]


def test_every_block_is_a_complete_kubernetes_object() -> None:
    docs = manifests()
    kinds = {doc["kind"] for doc in docs}
    assert {"Deployment", "Service", "HorizontalPodAutoscaler", "Secret"} <= kinds
    for doc in docs:
        assert set(doc) >= {"apiVersion", "kind", "metadata"}, doc
        assert re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", doc["metadata"]["name"])


@pytest.mark.parametrize("deployment", of_kind("Deployment"), ids=lambda d: d["metadata"]["name"])
def test_deployments_probe_the_scoring_server(deployment: dict[str, Any]) -> None:
    spec = deployment["spec"]
    assert deployment["apiVersion"] == "apps/v1"
    labels = spec["template"]["metadata"]["labels"]
    assert spec["selector"]["matchLabels"].items() <= labels.items()
    (container,) = spec["template"]["spec"]["containers"]
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert ports == {"http": SERVING_PORT}
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        check = container[probe]["httpGet"]
        assert check["path"] in ("/ping", "/health")
        assert ports.get(check["port"], check["port"]) == SERVING_PORT
    requests = container["resources"]["requests"]
    assert set(requests) == {"cpu", "memory"}
    assert set(container["resources"]["limits"]) == {"cpu", "memory"}


def test_service_and_autoscaler_point_at_a_deployment() -> None:
    deployments = {d["metadata"]["name"]: d for d in of_kind("Deployment")}
    for service in of_kind("Service"):
        selector = service["spec"]["selector"]
        matched = [
            d for d in deployments.values()
            if selector.items() <= d["spec"]["template"]["metadata"]["labels"].items()
        ]  # fmt: skip
        assert matched, f"Service {service['metadata']['name']} selects no pod of the page"
        (port,) = service["spec"]["ports"]
        assert port["targetPort"] == "http"
    for hpa in of_kind("HorizontalPodAutoscaler"):
        assert hpa["apiVersion"] == "autoscaling/v2"
        target = hpa["spec"]["scaleTargetRef"]
        assert (target["kind"], target["apiVersion"]) == ("Deployment", "apps/v1")
        assert target["name"] in deployments
        assert hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]
    secrets = {s["metadata"]["name"] for s in of_kind("Secret")}
    for deployment in deployments.values():
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        for source in container.get("envFrom", []):
            assert source["secretRef"]["name"] in secrets


def test_served_registry_uri_and_image_entrypoint_match_the_cli() -> None:
    from mltrail.serving.docker import PORT, serving_command

    assert PORT == SERVING_PORT
    command = serving_command("local")
    assert command[command.index("--port") + 1] == str(SERVING_PORT)
    page = PAGE.read_text(encoding="utf-8")
    # The generic image's entrypoint written on the page is the generated one without -m.
    without_model = [a for a in command if a not in ("-m", "/opt/ml/model")]
    assert f"ENTRYPOINT {without_model}".replace("'", '"') in page
