#!/usr/bin/env python3
"""Bootstrap for a fresh machine with only Python >= 3.11.

    python3 dev.py demo [hub demo options]   # install, then run the demo
    python3 dev.py test [--no-lint] [pytest options]   # install, then lint and test
    python3 dev.py lock                      # resolve the newest allowed versions anew

Creates `.venv/` beside this file and installs exactly the versions in
`requirements-dev.lock` (the image installs `requirements.lock`), then the project
itself; it reinstalls only when `pyproject.toml` or the lock changed. `lock` rewrites
both lock files from `pyproject.toml` with uv (run the tests, then commit them).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
LOCK, DEV_LOCK = "requirements.lock", "requirements-dev.lock"
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")


def ensure_environment() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py runs on whatever python3 is
        sys.exit("dev.py: Python 3.11 or newer is needed; run it with python3.11 or newer")
    python = BIN / "python"
    if not python.exists():
        print("dev.py: creating .venv ...", file=sys.stderr)
        venv.create(VENV, with_pip=True)
    digest = hashlib.sha256(
        (ROOT / "pyproject.toml").read_bytes() + (ROOT / DEV_LOCK).read_bytes()
    ).hexdigest()
    stamp = VENV / ".installed"
    if not stamp.exists() or stamp.read_text() != digest:
        print("dev.py: installing the hub and its tools into .venv ...", file=sys.stderr)
        pip = [str(python), "-m", "pip", "install", "--quiet"]
        run([*pip, "--upgrade", "pip"])
        run([*pip, "-r", str(ROOT / DEV_LOCK)])
        run([*pip, "--no-deps", "-e", f"{ROOT}[dev]"])
        stamp.write_text(digest)


def lock() -> None:
    """Both lock files anew, with the newest versions pyproject.toml allows."""
    uv = str(BIN / "uv")
    compile_ = [uv, "pip", "compile", "pyproject.toml", "--universal", "--upgrade"]
    common = ["--python-version", "3.11", "--quiet", "--no-header"]
    run([*compile_, *common, "-o", LOCK])
    run([*compile_, "--extra", "dev", *common, "-o", DEV_LOCK])
    print(f"dev.py: wrote {LOCK} and {DEV_LOCK}; run dev.py test, then commit", file=sys.stderr)


def run(command: list[str]) -> None:
    code = subprocess.call(command, cwd=ROOT)
    if code != 0:
        sys.exit(code)


def test(args: list[str]) -> None:
    if "--no-lint" in args:
        args.remove("--no-lint")
    else:
        run([str(BIN / "ruff"), "check", "."])
        run([str(BIN / "ruff"), "format", "--check", "."])
        run([str(BIN / "mypy")])
        run([str(BIN / "hub"), "schema", "check"])
    code = subprocess.call([str(BIN / "python"), "-m", "pytest", *args], cwd=ROOT)
    if code == 5:
        sys.exit("dev.py: pytest collected no tests; that is a failure, not a pass")
    sys.exit(code)


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in ("demo", "test", "lock"):
        sys.exit(__doc__)
    command, rest = sys.argv[1], sys.argv[2:]
    ensure_environment()
    if command == "lock":
        lock()
        return
    if command == "demo":
        os.execv(str(BIN / "hub"), [str(BIN / "hub"), "demo", *rest])
    test(rest)


if __name__ == "__main__":
    main()
