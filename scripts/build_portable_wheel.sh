#!/usr/bin/env bash
# Builds pyrer's portable Linux wheel: linked by zig against an old glibc, so
# it installs on render farms that still run Rocky/RHEL 8 (glibc 2.28) or
# CentOS 7 (glibc 2.17). Every tool comes from PyPI (maturin, ziglang) into
# the project's virtualenv; every cache stays under target/.
#
#   bash scripts/build_portable_wheel.sh [--compatibility TAG] [-o DIR] [--quiet]
#
# TAG: manylinux2014 (glibc 2.17, the default) or manylinux_2_28 (or any tag
# maturin knows). DIR: where the wheel goes (default target/wheels, emptied of
# older pyrer wheels first). The script fails if the built module needs a
# newer glibc than its tag promises (scripts/glibc_floor.py).
# Environment: PYRER_VENV (default ./.venv), PYTHON (to create it).
set -euo pipefail
cd "$(dirname "$0")/.."

VENV="${PYRER_VENV:-$PWD/.venv}"
COMPATIBILITY=manylinux2014
OUT="$PWD/target/wheels"
QUIET=()
while [ $# -gt 0 ]; do
    case "$1" in
        --compatibility) COMPATIBILITY="$2"; shift 2 ;;
        -o|--out) OUT="$(realpath -m "$2")"; shift 2 ;;
        --quiet) QUIET=(--quiet); shift ;;
        -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done
case "$COMPATIBILITY" in
    manylinux2014) FLOOR=2.17 ;;
    manylinux_*) FLOOR="$(echo "$COMPATIBILITY" | sed -E 's/^manylinux_([0-9]+)_([0-9]+)$/\1.\2/')" ;;
    *) echo "unsupported --compatibility $COMPATIBILITY" >&2; exit 2 ;;
esac

if [ ! -x "$VENV/bin/python" ]; then
    "${PYTHON:-python3}" -m venv "$VENV"
fi
# ziglang: tested with 0.17.1 (maturin 1.16); zig is the C compiler and the
# linker, with glibc stubs of the version the tag names
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    "maturin>=1.5,<2" "ziglang>=0.13,<0.18"

# zig and cargo-zigbuild (inside maturin) cache under $XDG_CACHE_HOME or ~/.cache
CACHE="$PWD/target/zig-cache"
mkdir -p "$CACHE" "$OUT"
export XDG_CACHE_HOME="$CACHE" ZIG_GLOBAL_CACHE_DIR="$CACHE/zig" ZIG_LOCAL_CACHE_DIR="$CACHE/zig"

rm -f "$OUT"/pyrer-*.whl
(unset CONDA_PREFIX; VIRTUAL_ENV="$VENV" PATH="$VENV/bin:$PATH" \
    "$VENV/bin/maturin" build --release "${QUIET[@]}" --zig --compatibility "$COMPATIBILITY" \
    --interpreter "$VENV/bin/python" -o "$OUT")
WHEEL="$(ls "$OUT"/pyrer-*.whl)"
"$VENV/bin/python" scripts/glibc_floor.py "$WHEEL" --max "$FLOOR"
echo "$WHEEL"
