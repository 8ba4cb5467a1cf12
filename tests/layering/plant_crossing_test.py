#!/usr/bin/env python3
"""The layering check catches what it is for: copies the tree's sources, plants one
crossing at a time and expects check_layers.py to fail naming it, and to pass on the
untouched copy.

Usage: plant_crossing_test.py PROJECT_ROOT
"""
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

CHECK = Path(__file__).with_name("check_layers.py")

# (file to plant in, line to add, what the check must print)
PLANTS = [
    ("src/domain/money.cpp", "#include <pqxx/pqxx>", "only db/"),
    ("include/pledged/core/result.hpp", "#include <pistache/http.h>", "only http/ uses Pistache"),
    ("src/config/config.cpp", "#include <curl/curl.h>", "only stripe/ (Stripe's API) and email/ (SMTP) use libcurl"),
    ("src/email/email_message.cpp", '#include "pledged/stripe/stripe_client.hpp"', "layer 'email' may not depend on 'stripe'"),
    ("src/http/admin_routes.cpp", '#include "pledged/email/outbox_sender.hpp"', "layer 'http' may not depend on 'email'"),
    ("src/http/admin_routes.cpp", '#include "pledged/db/admin_repository.hpp"', "layer 'http' may not depend on 'db'"),
    ("src/domain/money.cpp", '#include "pledged/stripe/stripe_client.hpp"', "layer 'domain' may not depend on 'stripe'"),
    ("webhooks/src/event_handlers.cpp", '#include "../../src/db/pool_impl.hpp"', "private headers"),
    ("src/http/response.cpp", '#include "pledged/db/sql.hpp"', "SQL seam is for repositories only"),
    # reached through a public header: app may not see Pistache even indirectly
    ("src/app/service.cpp", '#include "pledged/http/http_server.hpp"', "reaches pledged/http/http_server.hpp"),
]


def run(root: Path):
    return subprocess.run([sys.executable, str(CHECK), str(root)], capture_output=True, text=True)


def main():
    project = Path(sys.argv[1]).resolve()
    failures = 0
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch)
        for folder in ("src", "include", "webhooks"):
            shutil.copytree(project / folder, copy / folder)
        clean = run(copy)
        if clean.returncode != 0:
            print(f"the untouched tree fails the check:\n{clean.stderr}")
            return 1
        for file, line, expected in PLANTS:
            target = copy / file
            original = target.read_text(encoding="utf-8")
            target.write_text(line + "\n" + original, encoding="utf-8")
            planted = run(copy)
            target.write_text(original, encoding="utf-8")
            caught = planted.returncode != 0 and expected in planted.stderr and file in planted.stderr
            print(f"{'caught' if caught else 'MISSED'}: {line} in {file}")
            if caught:
                print("  " + planted.stderr.strip().splitlines()[0])
            else:
                failures += 1
                print(planted.stdout + planted.stderr)
    print(f"{len(PLANTS) - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
