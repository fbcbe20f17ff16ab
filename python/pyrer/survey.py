"""Survey package repositories with the static package.py parser.

Usage::

    python -m pyrer.survey [--diff] [--show N] REPO [REPO ...]

Counts the ``package.py`` files under each REPO that the parser accepts, the
ones it declines as dynamic (grouped by reason) and the unreadable ones, and
prints the accept rate. With ``--diff``, every accepted file is also loaded by
rez itself and compared field by field; the exit status is 1 on any mismatch.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from pyrer._native import PackageData, _survey_static_packages_py

#: (name, version, requires, variants)
Fields = tuple[str, str, list[str], list[list[str]]]


def fields(pkg: PackageData) -> Fields:
    """The solver fields of a package as a plain tuple, for comparisons."""
    return (pkg.name, pkg.version, list(pkg.requires), [list(v) for v in pkg.variants])


def find_package_files(roots: Iterable[str]) -> list[str]:
    """Every ``package.py`` under the given roots, sorted."""
    found: list[str] = []
    for root in roots:
        if os.path.isfile(root):
            found.append(root)
            continue
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            if "package.py" in filenames:
                found.append(os.path.join(dirpath, "package.py"))
    return sorted(found)


def rez_fields(path: str) -> Fields | None:
    """rez's own load of one file, as the parser reports it; None if rez fails.

    This is what rez's filesystem repository does with a ``package.py``:
    ``load_from_file``, drop ``format_version``, validate with
    ``package_pod_schema``. requires and variants are normalised through
    ``PackageRequest`` exactly as ``pkg.requires`` / ``pkg.variants`` are.
    A file without ``version`` is looked up in rez's repository, which
    takes the version from the directories.
    """
    from rez.package_resources import package_pod_schema
    from rez.serialise import FileFormat, load_from_file
    from rez.utils.sourcecode import SourceCode

    try:
        data = load_from_file(path, FileFormat.py, disable_memcache=True)
        data.pop("format_version", None)
        data = package_pod_schema.validate(data)
    except Exception:
        return None
    requires = data.get("requires", [])
    if isinstance(requires, SourceCode):
        return None
    if "version" not in data:
        return _listed_fields(path, data.get("name"))
    return (
        data["name"],
        str(data["version"]),
        [str(r) for r in requires],
        [[str(r) for r in v] for v in data.get("variants", [])],
    )


def _listed_fields(path: str, name: object) -> Fields | None:
    """A file without ``version``: what rez's filesystem repository makes of
    it, as ``location/name/version/package.py`` or, unversioned, as
    ``location/name/package.py`` (None when rez lists it as neither)."""
    from rez.packages import iter_packages

    if not isinstance(name, str):
        return None
    path = os.path.abspath(path)  # rez's resources name absolute paths
    folder = os.path.dirname(path)
    for location in (os.path.dirname(os.path.dirname(folder)), os.path.dirname(folder)):
        try:
            found = [p for p in iter_packages(name, paths=[location])
                     if p.resource.filepath == path]
        except Exception:
            continue
        if found:
            pkg = found[0]
            return (
                pkg.name,
                str(pkg.version),
                [str(r) for r in pkg.requires or []],
                [[str(r) for r in v] for v in pkg.variants or []],
            )
    return None


@dataclass
class Survey:
    total: int = 0
    accepted: int = 0
    unreadable: int = 0
    dynamic: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=dict)
    mismatches: list[tuple[str, Fields, Fields | None]] = field(default_factory=list)

    @property
    def accept_rate(self) -> float:
        return self.accepted / self.total if self.total else 0.0


def survey(paths: Sequence[str], diff: bool = False) -> Survey:
    """Parses every path; with ``diff``, compares accepted files with rez."""
    result = Survey(total=len(paths))
    for path, (pkg, reason, unreadable) in zip(paths, _survey_static_packages_py(paths)):
        if pkg is not None:
            result.accepted += 1
            if diff:
                ours = fields(pkg)
                theirs = rez_fields(path)
                if theirs != ours:
                    result.mismatches.append((path, ours, theirs))
        elif unreadable:
            result.unreadable += 1
        else:
            key = reason or "unknown"
            result.dynamic[key] += 1
            result.examples.setdefault(key, []).append(path)
    return result


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m pyrer.survey", description=__doc__)
    ap.add_argument("repos", nargs="+", metavar="REPO", help="package repository roots")
    ap.add_argument("--diff", action="store_true", help="compare accepted files with rez")
    ap.add_argument("--show", type=int, default=3, help="example files shown per reason")
    args = ap.parse_args(argv)

    paths = find_package_files(args.repos)
    s = survey(paths, diff=args.diff)
    print(f"files:      {s.total}")
    print(f"accepted:   {s.accepted} ({s.accept_rate:.2%})")
    print(f"dynamic:    {sum(s.dynamic.values())}")
    for reason, count in s.dynamic.most_common():
        print(f"  {count:7d}  {reason}")
        for example in s.examples[reason][: args.show]:
            print(f"             {example}")
    print(f"unreadable: {s.unreadable}")
    if args.diff:
        print(f"mismatches: {len(s.mismatches)} (of {s.accepted} accepted, compared with rez)")
        for path, ours, theirs in s.mismatches[:20]:
            print(f"  {path}\n    pyrer: {ours}\n    rez:   {theirs}")
        return 1 if s.mismatches else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
