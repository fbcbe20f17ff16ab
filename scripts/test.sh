#!/usr/bin/env bash
# Runs every test: Rust unit tests, lints, then pytest against a freshly built
# pyrer and live rez 3.4. Installs what it needs into ./.venv by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_env.sh

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (all features, warnings are errors)"
PYO3_PYTHON="$VENV/bin/python" cargo clippy --all-targets --all-features --quiet -- -D warnings

step "cargo test"
cargo test --quiet

step "build and install pyrer into $VENV (release)"
build_pyrer

step "ruff"
"$VENV/bin/ruff" check python rezplugins tests scripts

step "pytest"
"$VENV/bin/python" -m pytest -q -p no:cacheprovider "$@"

step "rez's own context tests, with the solver shim and pyrer@ paths"
"$VENV/bin/python" scripts/peer_rez_tests.py
