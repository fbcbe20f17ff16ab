#!/usr/bin/env python
"""The newest glibc symbol version a Linux shared object (or a wheel's) needs.

A binary runs on a host whose glibc is at least every ``GLIBC_x.y`` version
named in its ELF version-needs section (``.gnu.version_r``, the section
``objdump -T`` and the dynamic loader read): the newest of them is the
binary's glibc floor. This reads that section itself (no ``objdump``, no
third-party module), for ELF32/ELF64 of either byte order.

Usage::

    python scripts/glibc_floor.py FILE.so|WHEEL.whl [--max 2.28]

prints each native module and its floor; with ``--max`` it exits 1 when a
module needs a newer glibc than that.
"""

from __future__ import annotations

import argparse
import re
import struct
import sys
import zipfile
from pathlib import Path

SHT_GNU_VERNEED = 0x6FFFFFFE
_GLIBC = re.compile(r"GLIBC_(\d+(?:\.\d+)*)$")

Version = tuple[int, ...]


def needed_versions(elf: bytes) -> dict[str, set[str]]:
    """{needed library: its version names} from an ELF image's version-needs section.

    Raises ValueError for data that is not an ELF file.
    """
    if elf[:4] != b"\x7fELF":
        raise ValueError("not an ELF file")
    is64 = {1: False, 2: True}.get(elf[4])
    order = {1: "<", 2: ">"}.get(elf[5])
    if is64 is None or order is None:
        raise ValueError("unknown ELF class or byte order")
    if is64:
        (shoff,) = struct.unpack_from(order + "Q", elf, 0x28)
        shentsize, shnum = struct.unpack_from(order + "HH", elf, 0x3A)
        section = order + "IIQQQQIIQQ"  # name type flags addr offset size link info align entsize
    else:
        (shoff,) = struct.unpack_from(order + "I", elf, 0x20)
        shentsize, shnum = struct.unpack_from(order + "HH", elf, 0x2E)
        section = order + "IIIIIIIIII"
    headers = [struct.unpack_from(section, elf, shoff + i * shentsize) for i in range(shnum)]
    out: dict[str, set[str]] = {}
    for header in headers:
        sh_type, sh_offset, sh_link, sh_info = header[1], header[4], header[6], header[7]
        if sh_type != SHT_GNU_VERNEED:
            continue
        strtab = headers[sh_link][4]
        entry = sh_offset
        for _ in range(sh_info):  # sh_info: the number of Verneed entries
            _version, count, file_name, aux, next_entry = struct.unpack_from(
                order + "HHIII", elf, entry
            )
            names = out.setdefault(_cstring(elf, strtab + file_name), set())
            at = entry + aux
            for _ in range(count):
                _hash, _flags, _other, name, next_aux = struct.unpack_from(order + "IHHII", elf, at)
                names.add(_cstring(elf, strtab + name))
                at += next_aux
            if next_entry == 0:
                break
            entry += next_entry
    return out


def _cstring(data: bytes, at: int) -> str:
    return data[at : data.index(b"\0", at)].decode("ascii", "replace")


def glibc_versions(elf: bytes) -> list[Version]:
    """Every ``GLIBC_x.y`` version the image needs, oldest first."""
    found = {
        tuple(int(p) for p in m.group(1).split("."))
        for names in needed_versions(elf).values()
        for name in names
        if (m := _GLIBC.match(name))
    }
    return sorted(found)


def glibc_floor(elf: bytes) -> Version | None:
    """The newest ``GLIBC_x.y`` the image needs (None: it needs no versioned glibc symbol)."""
    versions = glibc_versions(elf)
    return versions[-1] if versions else None


def native_modules(path: Path) -> dict[str, bytes]:
    """{name: ELF image} of a shared object, or of every ``.so`` in a wheel."""
    if path.suffix == ".whl":
        with zipfile.ZipFile(path) as wheel:
            return {n: wheel.read(n) for n in wheel.namelist() if n.endswith(".so")}
    return {str(path): path.read_bytes()}


def wheel_tag_floor(tag: str) -> Version | None:
    """The glibc a manylinux platform tag promises to need at most
    (``manylinux_2_28_x86_64`` -> (2, 28), ``manylinux2014_x86_64`` -> (2, 17))."""
    legacy = {"manylinux1": (2, 5), "manylinux2010": (2, 12), "manylinux2014": (2, 17)}
    floors = []
    for platform in tag.split("-")[-1].split("."):
        m = re.match(r"manylinux_(\d+)_(\d+)_", platform)
        if m:
            floors.append((int(m.group(1)), int(m.group(2))))
        for name, floor in legacy.items():
            if platform.startswith(name + "_"):
                floors.append(floor)
    return min(floors) if floors else None


def show(version: Version | None) -> str:
    return "none" if version is None else ".".join(map(str, version))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", type=Path, help="a shared object or a wheel")
    parser.add_argument("--max", help="fail when a module needs a newer glibc (e.g. 2.28)")
    args = parser.parse_args(argv)
    limit = tuple(int(p) for p in args.max.split(".")) if args.max else None
    modules = native_modules(args.path)
    if not modules:
        print(f"{args.path}: no native module", file=sys.stderr)
        return 1
    status = 0
    for name, image in sorted(modules.items()):
        floor = glibc_floor(image)
        too_new = limit is not None and floor is not None and floor > limit
        print(f"{name}: GLIBC_{show(floor)}" + (f" (newer than {args.max})" if too_new else ""))
        status |= too_new
    return status


if __name__ == "__main__":
    sys.exit(main())
