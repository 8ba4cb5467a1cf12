#!/usr/bin/python3
"""The deployment files parse and say what the service needs.

Usage: tests/deploy/manifests_check.py PROJECT_ROOT PLEDGED_BINARY

- deploy/compose.yaml and every YAML file under deploy/k8s/ are well-formed;
- the Kubernetes Deployment: >= 2 replicas, readiness on /readyz, liveness on
  /healthz, requests and limits, a preStop pause, and a termination grace that
  covers the pause plus PLEDGED_SHUTDOWN_GRACE; Secret references for the
  database URL and the Stripe keys; the Service, Ingress, HPA and PDB select
  the Deployment's pods; the migration Job runs `pledged migrate`;
- compose: PostgreSQL 15, a one-shot migrate that the replicas wait for, two
  replicas, nginx with deploy/nginx/pledged.conf, which alone the replicas trust
  for X-Forwarded-For (PLEDGED_TRUSTED_PROXIES = nginx's fixed address), as the
  Kubernetes ConfigMap trusts the Ingress controller's pod network;
- deploy/Dockerfile: built from scripts/lib/common.sh's package list, the
  runtime stage installs a package for every library the binary links, runs
  as a non-root user, HEALTHCHECK on /healthz, ENTRYPOINT pledged, CMD serve.

Uses Debian's python3-yaml (PyYAML) only.
"""
import glob
import os
import re
import subprocess
import sys

import yaml

FAILURES = []


def check(condition, message):
    if not condition:
        FAILURES.append(message)
    return condition


def load_all(path):
    with open(path, encoding="utf-8") as handle:
        return [doc for doc in yaml.safe_load_all(handle) if doc is not None]


def seconds(text):
    match = re.fullmatch(r"(\d+)s?", str(text))
    return int(match.group(1)) if match else None


def service_default_grace(root):
    # The default is the config table's (src/config/config.cpp), the one place it is written.
    with open(os.path.join(root, "src/config/config.cpp"), encoding="utf-8") as handle:
        match = re.search(r'\{"PLEDGED_SHUTDOWN_GRACE", "(\d+)"', handle.read())
    if not match:
        sys.exit("manifests_check: PLEDGED_SHUTDOWN_GRACE's default not found in src/config/config.cpp")
    return int(match.group(1))


def check_kubernetes(root):
    k8s = os.path.join(root, "deploy/k8s")
    objects = {}
    for path in sorted(glob.glob(os.path.join(k8s, "*.yaml"))):
        for doc in load_all(path):
            check("kind" in doc and "apiVersion" in doc, f"{path}: a document without kind/apiVersion")
            name = doc.get("metadata", {}).get("name")
            objects.setdefault(doc.get("kind"), {})[name] = doc

    kustomization = objects["Kustomization"][None]
    for resource in kustomization["resources"]:
        check(os.path.exists(os.path.join(k8s, resource)), f"kustomization lists missing {resource}")
    check("secret.example.yaml" not in kustomization["resources"], "the example Secret must not be applied")

    deployment = objects["Deployment"]["pledged"]
    spec = deployment["spec"]
    pod = spec["template"]["spec"]
    labels = spec["template"]["metadata"]["labels"]
    check(spec["replicas"] >= 2, "Deployment: at least 2 replicas")
    check(spec["selector"]["matchLabels"].items() <= labels.items(), "Deployment: selector matches its pods")
    container = pod["containers"][0]
    check(container["readinessProbe"]["httpGet"]["path"] == "/readyz", "readiness probe on /readyz")
    check(container["livenessProbe"]["httpGet"]["path"] == "/healthz", "liveness probe on /healthz")
    for kind in ("requests", "limits"):
        check({"cpu", "memory"} <= set(container["resources"].get(kind, {})), f"resources.{kind} for cpu and memory")
    check(pod["securityContext"]["runAsNonRoot"] is True, "pods run as non-root")
    check(container["securityContext"]["readOnlyRootFilesystem"] is True, "read-only root filesystem")

    pre_stop = container["lifecycle"]["preStop"]["exec"]["command"]
    check(pre_stop[0] == "sleep", "preStop sleeps while endpoints update")
    pause = int(pre_stop[1])
    config = objects["ConfigMap"]["pledged"]["data"]
    grace = int(config.get("PLEDGED_SHUTDOWN_GRACE", service_default_grace(root)))
    check(pod["terminationGracePeriodSeconds"] >= pause + grace,
          f"terminationGracePeriodSeconds {pod['terminationGracePeriodSeconds']} < preStop {pause} + grace {grace}")
    check(container["args"] == ["serve"], "the Deployment runs `pledged serve`")

    secret_refs = {item["name"]: item["valueFrom"]["secretKeyRef"]
                   for item in container.get("env", []) if "secretKeyRef" in item.get("valueFrom", {})}
    for name in ("PLEDGED_DATABASE_URL", "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"):
        check(name in secret_refs, f"{name} comes from a Secret")
        check(name not in config, f"{name} must not be in the ConfigMap")
    check(container["envFrom"][0]["configMapRef"]["name"] == "pledged", "the rest comes from the ConfigMap")
    check(bool(config.get("PLEDGED_TRUSTED_PROXIES")), "the ConfigMap trusts the Ingress controller (PLEDGED_TRUSTED_PROXIES)")
    # Only the controller, never the pod network: a range anyone in the cluster can
    # connect from lets them choose their own rate-limit bucket.
    for entry in str(config.get("PLEDGED_TRUSTED_PROXIES", "")).split(","):
        entry = entry.strip()
        bits = int(entry.split("/")[1]) if "/" in entry else (128 if ":" in entry else 32)
        check(bits >= (120 if ":" in entry else 24), f"PLEDGED_TRUSTED_PROXIES entry {entry} is wider than the ingress")
    policy = objects.get("NetworkPolicy", {}).get("pledged")
    if check(policy is not None, "a NetworkPolicy admits only the Ingress controller"):
        check(policy["spec"]["podSelector"]["matchLabels"].items() <= labels.items(), "NetworkPolicy selects the pods")
        http_rules = [rule for rule in policy["spec"]["ingress"]
                      if any(port.get("port") in ("http", 8080) for port in rule.get("ports", []))]
        check(len(http_rules) == 1 and all(peer.get("namespaceSelector") for peer in http_rules[0].get("from", [])),
              "the public port is admitted from the Ingress controller's namespace only")
        check(all(rule.get("from") for rule in policy["spec"]["ingress"]), "no NetworkPolicy rule admits everyone")

    service = objects["Service"]["pledged"]
    check(service["spec"]["selector"].items() <= labels.items(), "Service selects the Deployment's pods")
    port_names = {port["name"] for port in container["ports"]}
    check(all(port["targetPort"] in port_names for port in service["spec"]["ports"]), "Service targets the pod port")

    # /metrics (donation, refund and auth-failure counts) is served on its own listener,
    # scraped on the pods; no Service port and so no Ingress path ever reaches it.
    metrics_listen = config.get("PLEDGED_METRICS_LISTEN", "")
    metrics_port = int(metrics_listen.rsplit(":", 1)[1]) if ":" in metrics_listen else None
    check(metrics_port is not None, "the ConfigMap sets PLEDGED_METRICS_LISTEN (host:port)")
    pod_ports = {port["name"]: port["containerPort"] for port in container["ports"]}
    check(pod_ports.get("metrics") == metrics_port, f"a pod port named metrics = PLEDGED_METRICS_LISTEN's ({pod_ports})")
    annotations = spec["template"]["metadata"].get("annotations", {})
    check(str(annotations.get("prometheus.io/port")) == str(metrics_port), "Prometheus scrapes the metrics port")
    check(metrics_port != pod_ports.get("http"), "metrics never on the public port")
    for port in service["spec"]["ports"]:
        check(port["targetPort"] not in ("metrics", metrics_port), "the Service never exposes the metrics port")
    for ingress in objects["Ingress"].values():
        for rule in ingress["spec"]["rules"]:
            for path in rule["http"]["paths"]:
                check(path["backend"]["service"]["name"] == "pledged", f"Ingress {ingress['metadata']['name']} -> pledged")
                check(path["backend"]["service"]["port"].get("name") == "http",
                      f"Ingress {ingress['metadata']['name']} routes only to the http port")
    body_limits = {ingress["metadata"]["name"]: ingress["metadata"]["annotations"]["nginx.ingress.kubernetes.io/proxy-body-size"]
                   for ingress in objects["Ingress"].values()}
    check(body_limits == {"pledged": "16k", "pledged-webhooks": "1m"}, f"Ingress body limits: {body_limits}")

    job = objects["Job"]["pledged-migrate"]
    job_container = job["spec"]["template"]["spec"]["containers"][0]
    check(job_container["args"] == ["migrate"], "the Job runs `pledged migrate`")
    check(job_container["image"] == container["image"], "the Job runs the Deployment's image")
    check(any(item["name"] == "PLEDGED_DATABASE_URL" for item in job_container["env"]), "the Job gets the database URL")

    hpa = objects["HorizontalPodAutoscaler"]["pledged"]["spec"]
    check(hpa["scaleTargetRef"]["name"] == "pledged" and hpa["scaleTargetRef"]["kind"] == "Deployment", "HPA scales the Deployment")
    check(hpa["minReplicas"] >= 2, "HPA keeps at least 2 replicas")
    pdb = objects["PodDisruptionBudget"]["pledged"]["spec"]
    check(pdb["selector"]["matchLabels"].items() <= labels.items(), "PDB selects the Deployment's pods")
    check(pdb.get("minAvailable", 0) >= 1 or "maxUnavailable" in pdb, "PDB keeps a pod available")


def check_compose(root, grace):
    compose = load_all(os.path.join(root, "deploy/compose.yaml"))[0]
    services = compose["services"]
    check(str(services["postgres"]["image"]).startswith("postgres:15"), "compose: PostgreSQL 15")
    check(services["migrate"]["command"] == ["migrate"], "compose: a one-shot migrate")
    check(services["migrate"].get("restart") == "no", "compose: migrate runs once")
    replicas = [name for name, service in services.items() if service.get("command") == ["serve"]]
    check(len(replicas) >= 2, f"compose: two pledged replicas, found {replicas}")
    for name in replicas:
        service = services[name]
        check(service["depends_on"]["migrate"]["condition"] == "service_completed_successfully",
              f"compose: {name} waits for the migration")
        check(seconds(service["stop_grace_period"]) > grace, f"compose: {name} stop_grace_period > grace")
        check("/readyz" in " ".join(service["healthcheck"]["test"]), f"compose: {name} healthcheck on /readyz")
    nginx = services["nginx"]
    check(any(volume.startswith("./nginx/pledged.conf:") for volume in nginx["volumes"]), "compose: nginx uses pledged.conf")
    with open(os.path.join(root, "deploy/nginx/pledged.conf"), encoding="utf-8") as handle:
        upstreams = re.findall(r"^\s*server\s+([\w.-]+):8080", handle.read(), re.MULTILINE)
    check(sorted(upstreams) == sorted(replicas), f"nginx upstream {upstreams} == compose replicas {replicas}")
    nginx_address = nginx.get("networks", {}).get("default", {}).get("ipv4_address")
    for name in replicas:
        trusted = services[name]["environment"].get("PLEDGED_TRUSTED_PROXIES")
        check(nginx_address is not None and trusted == nginx_address,
              f"compose: {name} trusts exactly nginx's address ({trusted} vs {nginx_address})")


def needed_packages(binary):
    """Debian packages owning the libraries the binary itself names (NEEDED)."""
    dynamic = subprocess.run(["objdump", "-p", binary], check=True, capture_output=True, text=True).stdout
    needed = re.findall(r"^\s*NEEDED\s+(\S+)", dynamic, re.MULTILINE)
    resolved = dict(re.findall(r"^\s*(\S+) => (\S+)", subprocess.run(
        ["ldd", binary], check=True, capture_output=True, text=True).stdout, re.MULTILINE))
    packages = set()
    for library in needed:
        path = os.path.realpath(resolved[library])
        owner = subprocess.run(["dpkg", "-S", path], capture_output=True, text=True)
        if owner.returncode != 0:  # merged /usr: dpkg knows the /lib path
            owner = subprocess.run(["dpkg", "-S", path.replace("/usr/lib/", "/lib/", 1)], capture_output=True, text=True)
        check(owner.returncode == 0, f"no Debian package owns {path}")
        packages.add(owner.stdout.split(":")[0])
    return packages


def check_dockerfile(root, binary):
    with open(os.path.join(root, "deploy/Dockerfile"), encoding="utf-8") as handle:
        text = handle.read()
    stages = re.findall(r"^FROM\s+(\S+)(?:\s+AS\s+(\S+))?", text, re.MULTILINE)
    check([image for image, _ in stages] == ["debian:12", "debian:12-slim"], f"Dockerfile stages: {stages}")
    build, runtime = re.split(r"^FROM debian:12-slim", text, maxsplit=1, flags=re.MULTILINE)
    check("source scripts/lib/common.sh" in build and '"${PLEDGED_PACKAGES[@]}"' in build,
          "the build stage installs PLEDGED_PACKAGES from scripts/lib/common.sh")
    install = re.search(r"apt-get install[^\n]*\\\n((?:[^\n]*\\\n)*[^\n]*)", runtime)
    runtime_packages = set(re.findall(r"[a-z0-9][a-z0-9.+-]+", install.group(1).split("&&")[0])) if install else set()
    # Present in every debian:12-slim image.
    base = {"libc6", "libgcc-s1", "libstdc++6"}
    missing = needed_packages(binary) - runtime_packages - base
    check(not missing, f"runtime stage lacks packages for linked libraries: {sorted(missing)}")
    check(not any(package.endswith("-dev") for package in runtime_packages), "no -dev package at runtime")
    user = re.findall(r"^USER\s+(\S+)", runtime, re.MULTILINE)
    check(user and not user[-1].split(":")[0] in ("root", "0"), "runs as a non-root user")
    check(re.search(r"^HEALTHCHECK .*\n?.*/healthz", runtime, re.MULTILINE) is not None, "HEALTHCHECK on /healthz")
    check('ENTRYPOINT ["pledged"]' in runtime and 'CMD ["serve"]' in runtime, "ENTRYPOINT pledged, CMD serve")
    check(re.search(r"^EXPOSE\s+8080", runtime, re.MULTILINE) is not None, "EXPOSE 8080")
    check(re.search(r"^COPY .*\.(env|conf)\b", text, re.MULTILINE) is None, "no configuration file baked in")
    # Every RUN is valid shell (the build stage's SHELL is bash; dash's syntax is a subset).
    for command in re.findall(r"^RUN ((?:[^\n]*\\\n)*[^\n]*)", text, re.MULTILINE):
        joined = command.replace("\\\n", " ")
        syntax = subprocess.run(["bash", "-n", "-c", joined], capture_output=True, text=True)
        check(syntax.returncode == 0, f"Dockerfile RUN is not valid shell: {syntax.stderr.strip()}")


def main():
    root, binary = sys.argv[1], sys.argv[2]
    check_kubernetes(root)
    check_compose(root, service_default_grace(root))
    check_dockerfile(root, binary)
    for failure in FAILURES:
        print(f"manifests_check: {failure}", file=sys.stderr)
    if not FAILURES:
        print("manifests_check: ok")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
