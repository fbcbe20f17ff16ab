"""``pyrer-index REPO...``: fill the package memo ahead of time.

Walks rez filesystem repositories (plain paths or ``pyrer@`` paths), parses
their package.py files in parallel with pyrer's static parser, loads the
files it declines with rez's own evaluator, and stores the solver fields in
the LMDB memo so that ``rez env`` never opens those files again. Unchanged
files are skipped. Files the parser declines are evaluated and remembered
only where the repository serves evaluated results (see
``pyrer.rez_repository.serve_evaluated``): stock rez evaluates
them again in every process. ``--definitions`` also remembers whole
definitions (`pyrer.rez_definitions`) by loading each file once through rez.
``--prune`` drops entries of files, and listings of directories, that are gone;
``--verify`` checks every entry the repository would serve against the file
on disk and rez's own load and exits 1 on any mismatch. Exit status 2: the
memo could not be used or written (a full disk, say).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from tqdm import tqdm

from pyrer._native import Memo, index_families, load_family, repository_families
from pyrer.memo import default_memo_dir, explain, open_memo

log = logging.getLogger("pyrer.index")

CHUNK = 64  # families per native call: small enough for a lively progress bar


def _location(repo: str) -> str:
    kind, sep, path = repo.partition("@")
    if sep and kind != "pyrer":
        raise SystemExit(f"pyrer-index: {repo}: only filesystem or pyrer@ repositories")
    return os.path.abspath(path if sep else repo)


def _chunks(items: list[str], n: int) -> Iterator[list[str]]:
    for i in range(0, len(items), n):
        yield items[i : i + n]


def _repository(location: str) -> Any:
    from rez.package_repository import package_repository_manager

    return package_repository_manager.get_repository(f"pyrer@{location}")


def index_repository(location: str, memo: Memo, quiet: bool) -> tuple[Counter[str], Counter[str]]:
    """Fills the memo for one repository; returns (tallies, dynamic reasons)."""
    repo = _repository(location)
    settings = repo.layout_settings()
    names = repository_families(location)
    tally: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    pending: list[tuple[str, str, str, tuple, str]] = []
    start = time.perf_counter()
    bar = tqdm(total=len(names), unit="family", desc=os.path.basename(location) or location,
               disable=quiet, leave=True, dynamic_ncols=True)
    for chunk in _chunks(names, CHUNK):
        counters, to_evaluate, needs_rez, notices = index_families(
            location, chunk, memo, serve_evaluated=repo.serve_evaluated, **settings
        )
        tally.update(counters)
        pending.extend(to_evaluate)
        for family, why in needs_rez:
            tally["needs_rez"] += 1
            log.info("%s: served by rez only (%s)", family, why)
        for notice in notices:
            tally["memo_errors"] += 1
            log.warning("memo: %s", explain(notice, memo.path))
        files = tally["memo_hits"] + tally["parsed"] + len(pending)
        bar.update(len(chunk))
        rate = files / max(time.perf_counter() - start, 1e-9)
        bar.set_postfix(files=files, files_per_s=int(rate))
    bar.close()

    if pending:
        from pyrer.rez_package import FallbackToRez

        for family, version, path, stamp, reason in tqdm(
            pending, unit="file", desc="rez evaluator", disable=quiet, leave=False
        ):
            reasons[reason] += 1
            if not (repo.remembers_evaluation(path) or repo.runs_statically(path, stamp)):
                continue  # evaluated on every load, as stock rez does: nothing to keep
            try:
                repo.evaluate_file(family, version, path, stamp, reason)
                tally["evaluated"] += 1
            except FallbackToRez as e:
                tally["late_or_failed"] += 1
                log.info("%s", e)
    tally["families"] += len(names)
    return tally, reasons


def fill_definitions(location: str, memo: Memo, quiet: bool) -> Counter[str]:
    """Loads every package file the repository at `location` serves, that
    has no whole definition in the memo yet, through rez's loader, so that
    `pyrer.rez_definitions` remembers what rez returns (where it may: see
    there); returns tallies."""
    from pyrer import rez_definitions

    repo = _repository(location)  # routes rez's loads of `location` through the memo
    settings = repo.layout_settings()
    tally: Counter[str] = Counter()
    memo.flush()  # what the evaluations above remembered counts as there
    todo = []
    for family in repository_families(location):
        for version in sorted(_served_versions(location, family, settings) or ()):
            if not version:
                continue  # an unversioned package: its definition is rez's alone
            resource = repo.package_resource(family, version)
            if resource.filepath is None:
                continue
            if memo.definition(resource.filepath) is None:
                todo.append(resource)
            else:
                tally["definitions_unchanged"] += 1
    before = Counter(rez_definitions.counters)
    for resource in tqdm(todo, unit="file", desc="definitions", disable=quiet):
        try:
            resource._data  # noqa: B018 (rez loads it through the hook)
        except Exception as e:  # rez cannot load it: it says so itself when asked
            tally["definitions_rez_fails"] += 1
            log.info("%s: rez cannot load it: %s", resource.filepath, e)
    for key, n in (rez_definitions.counters - before).items():
        tally[f"definitions_{key}"] += n
    memo.flush()
    return tally


def prune(location: str, memo: Memo) -> int:
    """Drops entries of files, and listings of directories, under `location`
    that no longer exist; returns how many."""
    prefix = location.rstrip(os.sep) + os.sep
    gone = [p for p in memo.paths(prefix) if not os.path.isfile(p)]
    gone += [d for d in memo.directories(prefix) if not os.path.isdir(d)]
    if gone:
        memo.forget(gone)
    return len(gone)


def _served_versions(location: str, family: str, settings: dict[str, Any]) -> set[str] | None:
    """The versions of `family` the repository serves (as rez lists them,
    `.ignore` files and the like honoured), or None when rez serves it alone."""
    load = load_family(location, family, None, None, **settings)
    if load.needs_rez:
        return None
    return {p.version for p in load.packages} | {v for v, _, _, _ in load.to_evaluate}


def verify(location: str, memo: Memo, quiet: bool) -> tuple[list[str], Counter[str]]:
    """Every entry under `location` the repository would serve, against rez's
    own load of the file; returns (problems, tallies of entries not checked)."""
    from rez.packages import iter_packages

    from pyrer import PackageData
    from pyrer.rez_package import late_bound_fields

    repo = _repository(location)
    settings = repo.layout_settings()
    problems = []
    skipped: Counter[str] = Counter()
    by_family: dict[str, list[str]] = {}
    for path in memo.paths(location.rstrip(os.sep) + os.sep):
        by_family.setdefault(Path(path).relative_to(location).parts[0], []).append(path)
    bar = tqdm(total=sum(map(len, by_family.values())), unit="file", desc="verify",
               disable=quiet)
    for family, paths in sorted(by_family.items()):
        rez_packages = {p.resource.filepath: p for p in iter_packages(family, paths=[location])}
        served = _served_versions(location, family, settings)
        for path in paths:
            bar.update(1)
            entry = memo.lookup(path)
            if entry is None:
                problems.append(f"{path}: unreadable entry")
                continue
            origin, stamp, requires, variants = entry
            try:
                st = os.stat(path)
            except OSError:
                skipped["vanished"] += 1  # never served (--prune drops it)
                continue
            if (st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino) != stamp:
                skipped["stale"] += 1  # never served, refreshed by the next index
                continue
            parts = Path(path).relative_to(location).parts
            version = parts[1] if len(parts) == 3 else ""
            if served is None or version not in served:
                skipped["hidden"] += 1  # .ignore, .building...: never served
                continue
            if origin == "evaluated" and not repo.remembers_evaluation(path):
                skipped["evaluated"] += 1  # rez evaluates it on every load instead
                continue
            pkg = rez_packages.get(path)
            if pkg is None:
                problems.append(f"{path}: rez does not see this package")
            elif origin == "late":
                if not late_bound_fields(pkg):
                    problems.append(f"{path}: memo says @late, rez disagrees")
            else:
                want = PackageData.from_rez(pkg)
                if (want.requires, want.variants) != (requires, variants):
                    problems.append(f"{path}: memo {requires!r} {variants!r} != "
                                    f"rez {want.requires!r} {want.variants!r}")
            problem = _verify_definition(memo, path)
            if problem:
                problems.append(problem)
    bar.close()
    return problems, skipped


def _verify_definition(memo: Memo, path: str) -> str | None:
    """A mismatch between the whole definition the memo serves for `path`
    and rez's own load of the file, if any."""
    from rez.serialise import FileFormat, load_from_file

    from pyrer import definition_codec

    payload = memo.definition(path)
    if payload is None:
        return None
    try:
        served = definition_codec.decode(payload)
    except definition_codec.UndecodablePayload as e:
        return f"{path}: unreadable definition ({e})"
    fmt = FileFormat.yaml if path.endswith(".yaml") else FileFormat.py
    try:
        loaded = load_from_file(path, fmt, disable_memcache=True)
    except Exception as e:
        return f"{path}: a definition is served, but rez cannot load the file: {e}"
    if not definition_codec.same(served, loaded):
        return f"{path}: the served definition differs from rez's load"
    return None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The command line of ``pyrer-index`` (also ``rez pyrer-index``)."""
    parser.add_argument("repos", nargs="+", metavar="REPO", help="repository path or pyrer@path")
    parser.add_argument("--memo-dir", help=f"memo directory (default: $PYRER_MEMO_DIR or "
                        f"{default_memo_dir()})")
    parser.add_argument("--prune", action="store_true",
                        help="drop entries of vanished files and directories")
    parser.add_argument("--definitions", action="store_true",
                        help="also remember whole definitions (rez's load of each file), so "
                        "that rez env opens no package.py from the first run")
    parser.add_argument("--verify", action="store_true",
                        help="check entries against disk and rez; exit 1 on a mismatch")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bars")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pyrer-index", description=__doc__.split("\n\n")[0])
    add_arguments(parser)
    return run(parser.parse_args(argv))


def run(args: argparse.Namespace) -> int:
    """Indexes, prunes and verifies as `args` says; the exit status."""
    logging.basicConfig(level=logging.INFO, format="pyrer-index: %(message)s")

    memo_dir = Path(args.memo_dir or os.environ.get("PYRER_MEMO_DIR") or default_memo_dir())
    os.environ["PYRER_MEMO_DIR"] = str(memo_dir)  # rez's repositories share this memo
    os.environ.pop("PYRER_MEMO", None)
    memo = open_memo(memo_dir)
    if memo is None:
        print(f"pyrer-index: cannot open the memo in {memo_dir}", file=sys.stderr)
        return 2
    try:
        return _run(args, memo)
    except OSError as e:
        print(f"pyrer-index: memo error: {explain(str(e), memo.path)}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace, memo: Memo) -> int:
    start = time.perf_counter()
    total: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    skipped: Counter[str] = Counter()
    status = 0
    for repo in args.repos:
        location = _location(repo)
        if not os.path.isdir(location):
            print(f"pyrer-index: {location}: not a directory", file=sys.stderr)
            status = 2
            continue
        tally, why = index_repository(location, memo, args.quiet)
        total.update(tally)
        reasons.update(why)
        if args.definitions:
            total.update(fill_definitions(location, memo, args.quiet))
        if args.prune:
            total["pruned"] += prune(location, memo)
        if args.verify:
            problems, not_checked = verify(location, memo, args.quiet)
            skipped.update(not_checked)
            for p in problems:
                print(f"pyrer-index: MISMATCH {p}", file=sys.stderr)
            if problems:
                status = max(status, 1)
            total["verify_mismatches"] += len(problems)
    memo.flush()
    elapsed = time.perf_counter() - start

    files = total["memo_hits"] + total["parsed"] + sum(reasons.values())
    not_stored = total["memo_writes_dropped"]  # the memo refused them (full disk, damage)
    print(f"pyrer-index: {len(args.repos)} repositories, {total['families']} families, "
          f"{files} files in {elapsed:.2f} s ({files / max(elapsed, 1e-9):,.0f} files/s)")
    print(f"  unchanged (already in memo): {total['memo_hits']}")
    print(f"  static (parsed now):         {total['parsed']}")
    print(f"    stored:                    {total['memo_writes']}")
    if total["not_settled"]:
        print(f"    changed too recently:      {total['not_settled']} (stored by a later run)")
    if not_stored > 0:
        print(f"    NOT STORED (memo errors):  {not_stored}")
    print(f"  dynamic (rez evaluator):     {sum(reasons.values())}")
    for reason, n in reasons.most_common():
        print(f"    {n:6}  {reason}")
    print(f"  served by rez only:          {total['needs_rez'] + total['late_or_failed']}")
    print(f"  I/O errors:                  {total['io_errors']}")
    if args.definitions:
        print(f"  whole definitions:           {total['definitions_remembered']} remembered, "
              f"{total['definitions_unchanged']} unchanged, "
              f"{total['definitions_loaded'] - total['definitions_remembered']} not remembered "
              f"(evaluated on every load, as stock rez), "
              f"{total['definitions_rez_fails']} rez cannot load")
    if args.prune:
        print(f"  pruned:                      {total['pruned']}")
    if args.verify:
        print(f"  verify mismatches:           {total['verify_mismatches']}")
        if skipped:
            kinds = ", ".join(f"{k} {n}" for k, n in sorted(skipped.items()))
            print(f"  not checked (never served):  {sum(skipped.values())} ({kinds})")
    files = len(memo.paths("/"))  # solver entries are keyed by absolute path
    print(f"  memo: {memo.path} ({files} package files; {memo.stats()['entries']} entries "
          "with directory listings and whole definitions)")
    if total["memo_errors"] or not_stored > 0:
        print("pyrer-index: the memo could not be written; see the warnings above",
              file=sys.stderr)
        status = 2
    return status


if __name__ == "__main__":
    sys.exit(main())
