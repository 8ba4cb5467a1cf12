#!/usr/bin/env python3
"""The walls between pledged's layers, checked include by include.

Usage: check_layers.py PROJECT_ROOT

Reads every #include under src/, include/ and webhooks/ and fails, naming the file,
the line and the rule, when one crosses a wall. The rules are the tables below and
nowhere else; src/CMakeLists.txt builds one library per layer along the same lines.

A layer is the folder a file sits in: src/<layer>/ and include/pledged/<layer>/; the
whole of webhooks/ is the layer `webhooks`, and its repositories (webhooks/src/db/)
may use the database through db's SQL seam.
"""
import re
import sys
from pathlib import Path

# Which layers' headers a layer may include directly (its own always).
USE_CASES = {"progress", "pledges", "refunds", "reports", "statements", "donors", "staff", "admin", "operations"}
MAY_INCLUDE = {
    "core": set(),
    "config": {"core"},
    "domain": {"core"},
    "db": {"core", "config", "domain"},
    "stripe": {"core", "domain"},
    "webhooks": {"core", "domain", "db", "stripe"},
    "email": {"core", "domain", "db"},
    "pdf": {"core", "domain"},
    **{case: {"core", "config", "domain", "db", "stripe", "webhooks"} | USE_CASES for case in USE_CASES},
    "statements": {"core", "config", "domain", "db", "pdf"} | USE_CASES,
    "http": {"core", "config", "domain", "webhooks"} | USE_CASES,
    "app": {"core", "config", "domain", "db", "stripe", "webhooks", "email", "http"} | USE_CASES,
}

# Third-party headers, by the first part of their path, and who may reach them, directly
# or through any project header (so a public header cannot smuggle one across a wall).
THIRD_PARTY = {
    "pqxx": ({"db", "webhooks/db"}, "only db/ (and the webhook module's repositories, through db's SQL seam) use libpqxx"),
    "pistache": ({"http"}, "only http/ uses Pistache"),
    "curl": ({"stripe", "email"}, "only stripe/ (Stripe's API) and email/ (SMTP) use libcurl"),
    "CLI": ({"app"}, "only app/ parses the command line (CLI11)"),
    "hpdf.h": ({"pdf"}, "only pdf/ renders PDFs (libharu)"),
    "openssl": ({"core", "webhooks"}, "only core/crypto and the webhook signature use OpenSSL"),
}

# Project headers that only some layers may include.
RESTRICTED_HEADERS = {
    "pledged/db/sql.hpp": ({"db", "webhooks/db"}, "db's SQL seam is for repositories only"),
}

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')


def layer_of(root: Path, path: Path) -> str:
    parts = path.relative_to(root).parts
    if parts[0] == "webhooks":
        return "webhooks/db" if parts[1:3] == ("src", "db") else "webhooks"
    if parts[0] == "src":
        return parts[1]
    if parts[0] == "include":
        return parts[2]
    raise ValueError(path)


def base_layer(layer: str) -> str:
    return layer.split("/")[0]


def project_header(root: Path, name: str):
    for base in (root / "include", root / "webhooks" / "include"):
        if (base / name).is_file():
            return base / name
    return None


def includes(path: Path):
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        match = INCLUDE.match(line)
        if match:
            yield number, match.group(1), match.group(2)


def third_party_reached(root: Path, path: Path, memo: dict, stack=()):
    """{third-party group: (the line of this file's include that starts the chain, the
    chain of includes that reaches it)} for one file."""
    if path in memo:
        return memo[path]
    reached = {}
    for number, quote, name in includes(path):
        group = name.split("/")[0]
        if quote == "<" and group in THIRD_PARTY:
            reached.setdefault(group, (number, [f"<{name}>"]))
        elif name.startswith("pledged/"):
            header = project_header(root, name)
            if header and header not in stack:
                for inner, (_, chain) in third_party_reached(root, header, memo, stack + (path,)).items():
                    reached.setdefault(inner, (number, [name] + chain))
    memo[path] = reached
    return reached


def check(root: Path):
    problems = []
    files = sorted(p for folder in ("src", "include", "webhooks") for p in (root / folder).rglob("*")
                   if p.suffix in (".cpp", ".hpp", ".h"))
    memo = {}
    for path in files:
        layer = layer_of(root, path)
        where = path.relative_to(root)
        if base_layer(layer) not in MAY_INCLUDE:
            problems.append(f"{where}: folder '{layer}' is no layer known to tests/layering/check_layers.py")
            continue
        for number, quote, name in includes(path):
            if ".." in Path(name).parts:
                problems.append(f"{where}:{number}: includes {name}: no reaching into another folder's "
                                f"private headers (use the layer's public header under include/)")
                continue
            if quote == '"' and not name.startswith("pledged/"):
                if not (path.parent / name).is_file():
                    problems.append(f"{where}:{number}: includes \"{name}\": a private header must sit beside "
                                    f"the file that includes it")
                continue
            if name.startswith("pledged/"):
                target = name.split("/")[1]
                if target != base_layer(layer) and target not in MAY_INCLUDE[base_layer(layer)]:
                    problems.append(f"{where}:{number}: includes {name}: layer '{base_layer(layer)}' may not "
                                    f"depend on '{target}' (allowed: "
                                    f"{', '.join(sorted(MAY_INCLUDE[base_layer(layer)])) or 'nothing'})")
                if name in RESTRICTED_HEADERS and layer not in RESTRICTED_HEADERS[name][0]:
                    problems.append(f"{where}:{number}: includes {name}: {RESTRICTED_HEADERS[name][1]}")
        for group, (number, chain) in third_party_reached(root, path, memo).items():
            allowed, rule = THIRD_PARTY[group]
            if layer not in allowed and base_layer(layer) not in allowed:
                problems.append(f"{where}:{number}: reaches {' -> '.join(chain)}: {rule}")
    return files, problems


def main():
    root = Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
    files, problems = check(root)
    if not files:
        print(f"layering: no source files under {root}", file=sys.stderr)
        return 1
    for problem in problems:
        print(f"layering: {problem}", file=sys.stderr)
    print(f"layering: {len(files)} files checked, {len(problems)} crossings")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
