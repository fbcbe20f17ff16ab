# Shared setup for scripts/test.sh and scripts/demo.sh: a local virtualenv
# with the build and test tools, rez 3.4 from PyPI, and pyrer built into it.
VENV="${PYRER_VENV:-$PWD/.venv}"
PYTHON="${PYTHON:-python3}"

step() { printf '\n== %s ==\n' "$*"; }

if [ "${CI:-}" = "true" ]; then
    # CI builds from a fresh clone: keep every download inside it.
    export CARGO_HOME="$PWD/.cargo-home"
    mkdir -p "$CARGO_HOME"
fi

if [ ! -x "$VENV/bin/python" ]; then
    step "create $VENV"
    "$PYTHON" -m venv "$VENV"
fi
step "install Python tools into $VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    "maturin>=1.5,<2" "pytest>=7" "hypothesis>=6" "rez==3.4.0" "ruff" "tqdm>=4.60"

# Build the release wheel and install it the way a studio would (pip), so the
# rez plugin files land beside rez's own rezplugins and entry points register.
# It is the portable wheel a release ships (zig-linked against glibc 2.17,
# tagged manylinux2014), so the tests check the module a studio would install.
build_pyrer() {
    local wheels="$PWD/target/wheels"
    PYRER_VENV="$VENV" bash scripts/build_portable_wheel.sh --quiet -o "$wheels"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
        --force-reinstall --no-deps "$wheels"/pyrer-*.whl
}
