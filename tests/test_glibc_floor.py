"""The installed native module runs on old render-farm hosts: its newest glibc
symbol version is at most 2.28 (Rocky/RHEL 8), and at most what its wheel tag
promises (`scripts/build_portable_wheel.sh` builds the wheel `scripts/test.sh`
installs)."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
from importlib.metadata import distribution
from pathlib import Path
from types import ModuleType

import pyrer._native
import pytest

ROOT = Path(__file__).parent.parent
REQUIRED_FLOOR = (2, 28)  # Rocky/RHEL 8; the bar for a release wheel


def _load_glibc_floor() -> ModuleType:
    path = ROOT / "scripts" / "glibc_floor.py"
    spec = importlib.util.spec_from_file_location("glibc_floor", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["glibc_floor"] = module
    spec.loader.exec_module(module)
    return module


glibc_floor = _load_glibc_floor()
MODULE = Path(pyrer._native.__file__)


def installed_wheel_tags() -> list[str]:
    """The ``Tag:`` lines of the installed pyrer's WHEEL metadata."""
    text = distribution("pyrer").read_text("WHEEL") or ""
    return re.findall(r"^Tag:\s*(\S+)", text, re.M)


def objdump_glibc_versions(path: Path) -> list[tuple[int, ...]]:
    out = subprocess.run(["objdump", "-T", str(path)], capture_output=True, text=True, check=True)
    names = re.findall(r"GLIBC_(\d+(?:\.\d+)+)", out.stdout)
    found = {tuple(int(p) for p in v.split(".")) for v in names}
    return sorted(found)


def test_installed_module_needs_at_most_glibc_2_28() -> None:
    floor = glibc_floor.glibc_floor(MODULE.read_bytes())
    assert floor is not None, f"{MODULE} names no GLIBC_ symbol version: not a glibc build?"
    assert floor <= REQUIRED_FLOOR, (
        f"{MODULE.name} needs GLIBC_{glibc_floor.show(floor)}; build it with "
        "scripts/build_portable_wheel.sh"
    )


def test_installed_module_keeps_its_wheel_tags_promise() -> None:
    tags = installed_wheel_tags()
    assert tags, "the installed pyrer has no wheel tags (not installed from a wheel?)"
    promised = [glibc_floor.wheel_tag_floor(tag) for tag in tags]
    assert None not in promised, f"not a manylinux wheel: {tags}"
    floor = glibc_floor.glibc_floor(MODULE.read_bytes())
    assert floor is not None and all(floor <= p for p in promised), (tags, floor)


@pytest.mark.skipif(shutil.which("objdump") is None, reason="no objdump to cross-check with")
@pytest.mark.parametrize("path", [MODULE, Path(sys.executable).resolve()], ids=["pyrer", "python"])
def test_reader_agrees_with_objdump(path: Path) -> None:
    """The ELF reader finds the same GLIBC_ versions as binutils, on the
    module and on an executable built against this host's glibc."""
    ours = glibc_floor.glibc_versions(path.read_bytes())
    if not ours:
        pytest.skip(f"{path} needs no versioned glibc symbol")
    assert ours == objdump_glibc_versions(path)


def test_built_wheel_is_the_installed_module() -> None:
    """The wheel in target/wheels (the one a release ships) holds the
    module under test, byte for byte."""
    wheels = sorted((ROOT / "target" / "wheels").glob("pyrer-*.whl"))
    if not wheels:
        pytest.skip("no built wheel in target/wheels")
    modules = glibc_floor.native_modules(wheels[-1])
    assert list(modules) == [f"pyrer/{MODULE.name}"]
    assert modules[f"pyrer/{MODULE.name}"] == MODULE.read_bytes()


@pytest.mark.parametrize(
    ("tag", "floor"),
    [
        ("cp39-abi3-manylinux_2_28_x86_64", (2, 28)),
        ("cp39-abi3-manylinux2014_x86_64.manylinux_2_17_x86_64", (2, 17)),
        ("cp39-abi3-manylinux_2_34_x86_64", (2, 34)),
        ("cp39-abi3-linux_x86_64", None),
    ],
)
def test_wheel_tag_floor(tag: str, floor: tuple[int, int] | None) -> None:
    assert glibc_floor.wheel_tag_floor(tag) == floor


def test_not_an_elf_file() -> None:
    with pytest.raises(ValueError):
        glibc_floor.needed_versions(b"#!/bin/sh\n")
