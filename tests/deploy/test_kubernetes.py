"""The Kubernetes manifests (deploy/kubernetes): each overlay is built by kustomize (`kubectl
kustomize`) and every document it yields is validated against the JSON schema of a pinned
Kubernetes release, strictly (an unknown field is an error), offline: the schemas come with the
kubernetes-validate package (requirements-dev.txt). Then what the deployment relies on: probes,
replicas, the beat's single Recreate pod, the secrets only referenced."""

import os
import shutil
import subprocess
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
KUBERNETES = ROOT / "deploy/kubernetes"
OVERLAYS = sorted(p.parent.name for p in (KUBERNETES / "overlays").glob("*/kustomization.yaml"))
# The oldest release still supported by the managed clusters we target; the schemas are bundled.
KUBERNETES_VERSION = "1.31.0"


@pytest.fixture(scope="module")
def kubectl():
    path = shutil.which("kubectl")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("kubectl is missing: it builds the kustomizations (kubectl kustomize)")
        pytest.skip("kubectl is not installed")
    return path


def build(kubectl, folder: Path) -> list[dict]:
    out = subprocess.run([kubectl, "kustomize", str(folder)], capture_output=True, text=True, check=True).stdout
    return [doc for doc in yaml.safe_load_all(out) if doc]


def invalid(documents: list[dict]) -> list[str]:
    errors = []
    for doc in documents:
        try:
            kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as error:
            errors.append(f"{doc['kind']}/{doc['metadata']['name']}: {error.message} at {list(error.path)}")
    return errors


def by_kind(documents):
    return {(doc["kind"], doc["metadata"]["name"]): doc for doc in documents}


def test_there_is_a_province_overlay():
    assert "province" in OVERLAYS


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_document_of_the_overlay_is_valid_kubernetes(kubectl, overlay):
    documents = build(kubectl, KUBERNETES / "overlays" / overlay)
    assert len(documents) >= 15
    assert invalid(documents) == []


def test_an_unknown_field_or_a_wrong_type_fails_the_validation(kubectl, tmp_path):
    """The negative case: the same base with one misspelled field and one string for a number,
    through kustomize as the real overlays, must be refused."""
    (tmp_path / "kustomization.yaml").write_text(
        yaml.safe_dump({
            "resources": [os.path.relpath(KUBERNETES / "base", tmp_path)],
            "patches": [
                {"target": {"kind": "Deployment", "name": "web"},
                 "patch": "- op: add\n  path: /spec/template/spec/containers/0/readinesProbe\n  value: {}\n"},
                {"target": {"kind": "HorizontalPodAutoscaler", "name": "web"},
                 "patch": "- op: replace\n  path: /spec/minReplicas\n  value: three\n"},
            ],
        })
    )  # fmt: skip
    errors = invalid(build(kubectl, tmp_path))
    assert len(errors) == 2, errors
    assert any("readinesProbe" in e for e in errors) and any("minReplicas" in e for e in errors)


@pytest.fixture(scope="module")
def province(kubectl):
    return by_kind(build(kubectl, KUBERNETES / "overlays/province"))


def test_web_has_three_or_more_replicas_probes_resources_and_a_budget(province):
    web = province[("Deployment", "web")]
    assert web["spec"]["replicas"] >= 3
    [container] = web["spec"]["template"]["spec"]["containers"]
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz/"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz/"
    assert {"requests", "limits"} <= set(container["resources"])
    hpa = province[("HorizontalPodAutoscaler", "web")]
    assert hpa["spec"]["scaleTargetRef"]["name"] == "web" and 3 <= hpa["spec"]["minReplicas"] < hpa["spec"]["maxReplicas"]
    assert province[("PodDisruptionBudget", "web")]["spec"]["selector"]["matchLabels"] == web["spec"]["selector"]["matchLabels"]
    assert province[("Ingress", "web")]["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]["name"] == "web"
    assert ("Service", "web") in province and ("Service", "pgbouncer") in province


def test_one_worker_per_group_of_queues_and_one_beat(province):
    queues = {}
    for (kind, name), doc in province.items():
        if kind == "Deployment" and name.startswith("worker-"):
            args = doc["spec"]["template"]["spec"]["containers"][0]["args"]
            queues[name] = args[args.index("-Q") + 1]
    assert queues == {
        "worker-notifications": "notifications,celery",
        "worker-exports": "exports,analysis",
        "worker-housekeeping": "housekeeping",
    }
    beat = province[("Deployment", "beat")]
    assert beat["spec"]["replicas"] == 1 and beat["spec"]["strategy"]["type"] == "Recreate"


def test_secrets_are_referenced_never_written_and_the_release_is_a_job(province):
    assert not [key for key in province if key[0] == "Secret"]
    for (kind, name), doc in province.items():
        if kind in ("Deployment", "Job") and name != "pgbouncer":
            env_from = doc["spec"]["template"]["spec"]["containers"][0]["envFrom"]
            assert {"secretRef": {"name": "contest-secrets"}} in env_from, name
    config = province[("ConfigMap", "contest-config")]["data"]
    assert not [k for k in config if any(w in k for w in ("PASSWORD", "SECRET", "TOKEN", "_KEY"))]
    assert config["DJANGO_DISABLE_SERVER_SIDE_CURSORS"] == "1"  # PgBouncer in transaction mode
    job = province[("Job", "contest-migrate")]
    assert job["spec"]["template"]["spec"]["containers"][0]["args"] == ["deploy/release.sh"]
