#!/usr/bin/env bash
# The main job: builds pyrer and runs the demo on rez's own benchmark data.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_env.sh
step "build and install pyrer into $VENV (release)"
build_pyrer
step "demo"
"$VENV/bin/python" scripts/demo.py "$@"
