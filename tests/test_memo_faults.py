"""Fault campaign for the LMDB package memo.

A damaged memo must never cost more than one failed command and must never
give a wrong answer. Each case damages a filled memo (random, zeroed or
bit-flipped pages, truncation, a full disk, kills during commits), then runs
fresh processes that load every family through it. Rules:

- every run that completes returns exactly what a memo-less load returns;
- a run may die of a signal only if the crash guard set the data file aside
  first, and then the next run must complete (a crash never repeats);
- within a few runs the memo is rebuilt: a run with no memo problems that
  opens no package.py (or, for damage no check can see, runs stay right and
  quiet while some files are read each time; counted apart).

Processes do the loading so that crashes are observed, not suffered. The
repository is synthetic (a few hundred families of static package.py files,
so that the memo spans many pages). ``CI=true`` runs more random cases.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import struct
import subprocess
import sys
import textwrap
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

PAGE = 4096
FAMILIES = 300
VERSIONS = 5
CASES_PER_KIND = 25 if os.environ.get("CI") == "true" else 8
KILLS = 30 if os.environ.get("CI") == "true" else 10

# -- LMDB's on-disk layout (0.9 format, 64-bit, 4 KiB pages) ------------------
# page header: pgno u64, pad u16, flags u16, lower u16, upper u16
# meta (after the header): magic u32, version u32, address u64, mapsize u64,
# then two MDB_db (free, main) of 48 bytes: pad u32, flags u16, depth u16,
# branch, leaf, overflow pages, entries, root (u64 each); last_pg, txnid u64.
P_BRANCH, P_LEAF = 0x01, 0x02
MAIN_ROOT_AT = 16 + 24 + 48 + 40
LAST_PG_AT = 16 + 24 + 96
TXNID_AT = LAST_PG_AT + 8


def _u64(raw: bytes | bytearray, at: int) -> int:
    return int(struct.unpack_from("<Q", raw, at)[0])


def _current_meta(raw: bytes | bytearray) -> int:
    """Offset of the meta page LMDB uses (the one with the larger txnid)."""
    return max((0, PAGE), key=lambda at: _u64(raw, at + TXNID_AT))


def _leaf_pages(raw: bytes | bytearray) -> list[int]:
    last = _u64(raw, _current_meta(raw) + LAST_PG_AT)
    return [
        pg for pg in range(2, last + 1)
        if _u64(raw, pg * PAGE) == pg and struct.unpack_from("<H", raw, pg * PAGE + 10)[0] == P_LEAF
    ]


# -- the repository, the oracle and the worker --------------------------------


def _write_repo(root: Path) -> Path:
    rng = random.Random(11)
    names = [f"fam{i:03d}" for i in range(FAMILIES)]
    for i, name in enumerate(names):
        for v in range(VERSIONS):
            version = f"{v + 1}.{rng.randrange(10)}.{v}"
            folder = root / name / version
            folder.mkdir(parents=True)
            deps = rng.sample(names[:i] or ["base"], min(i, rng.randrange(4)))
            requires = [f"{d}-{rng.randrange(1, 4)}+" for d in deps]
            body = f'name = "{name}"\nversion = "{version}"\nrequires = {requires!r}\n'
            if rng.random() < 0.3:
                body += f'variants = [["platform-linux"], ["{name}_extra-{v}"]]\n'
            body += "description = " + repr("x" * rng.randrange(20, 400)) + "\n"
            (folder / "package.py").write_text(body)
    time.sleep(0.1)  # the memo only remembers files older than a timestamp tick
    return root


WORKER = textwrap.dedent("""
    import json, os, sys
    import pyrer
    from pyrer._native import index_families, load_family, repository_families

    mode, repo, memo_dir = sys.argv[1], sys.argv[2], sys.argv[3]
    try:
        memo = pyrer.Memo(memo_dir)
    except OSError as e:
        memo = None
        problems = [f"open: {e}"]
    else:
        problems = list(memo.notices)
    names = repository_families(repo)
    if mode == "write-forever":  # big write transactions, until killed
        paths = [os.path.join(repo, n, v, "package.py")
                 for n in names for v in sorted(os.listdir(os.path.join(repo, n)))]
        print("writing", flush=True)
        while True:
            memo.forget(paths[: len(paths) // 2])
            index_families(repo, names, memo)
    families, counters = {}, {}
    for name in names:
        load = load_family(repo, name, None, memo)
        families[name] = sorted(
            [p.version, list(p.requires), [list(v) for v in p.variants]] for p in load.packages
        )
        problems.extend(load.notices)
        for k, v in load.counters.items():
            counters[k] = counters.get(k, 0) + v
    if memo is not None:
        try:
            memo.flush()
        except OSError as e:
            problems.append(f"flush: {e}")
    print(json.dumps({"families": families, "counters": counters, "problems": problems,
                      "memo": memo is not None}))
""")


@dataclass
class Run:
    returncode: int
    stderr: str
    result: dict[str, Any] | None = None

    @property
    def died(self) -> bool:
        return self.returncode < 0


def _run(repo: Path, memo_dir: Path, *, fsize_limit: int | None = None) -> Run:
    def limit() -> None:
        import resource

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of a kill
        if fsize_limit is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize_limit, fsize_limit))

    out = subprocess.run(
        [sys.executable, "-c", WORKER, "load", str(repo), str(memo_dir)],
        capture_output=True, text=True, timeout=120, preexec_fn=limit,
    )
    run = Run(out.returncode, out.stderr)
    if out.returncode == 0:
        run.result = json.loads(out.stdout)
    return run


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _write_repo(tmp_path_factory.mktemp("faults-repo"))


@pytest.fixture(scope="module")
def oracle(repo: Path) -> dict[str, Any]:
    """Every family as loaded without a memo."""
    from pyrer._native import load_family, repository_families

    return {
        name: sorted(
            [p.version, list(p.requires), [list(v) for v in p.variants]]
            for p in load_family(str(repo), name, None, None).packages
        )
        for name in repository_families(str(repo))
    }


@pytest.fixture(scope="module")
def filled(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A memo holding every file of the repository."""
    memo_dir = tmp_path_factory.mktemp("faults-filled") / "memo"
    run = _run(repo, memo_dir)
    assert run.result and run.result["counters"]["memo_writes"] == FAMILIES * VERSIONS
    assert (memo_dir / "data.mdb").stat().st_size > 40 * PAGE
    return memo_dir


def _copy(filled: Path, dest: Path) -> Path:
    shutil.copytree(filled, dest)
    return dest


def _set_aside(memo_dir: Path) -> list[str]:
    return sorted(p.name for p in memo_dir.glob("data.mdb.corrupt-*"))


@dataclass
class Tally:
    """What a sequence of runs after damage did."""

    runs: int = 0
    crashes: int = 0
    problems: int = 0
    undetected: bool = False
    log: list[str] = field(default_factory=list)


def _until_rebuilt(repo: Path, memo_dir: Path, oracle: dict[str, Any], what: str) -> Tally:
    """Runs until a clean run (no memo problems, no file read), checking the
    rules on the way: right answers, at most one crash and only with the file
    set aside, and a run after one that found damage starts a sound memo."""
    tally = Tally()
    found_damage = False
    for _ in range(6):
        tally.runs += 1
        aside_before = _set_aside(memo_dir)
        run = _run(repo, memo_dir)
        if run.died:
            tally.crashes += 1
            tally.log.append(f"run {tally.runs}: signal {-run.returncode}")
            assert tally.crashes == 1, f"{what}: a crash repeated: {run.stderr[-600:]}"
            assert len(_set_aside(memo_dir)) > len(aside_before), (
                f"{what}: died of signal {-run.returncode} without setting the memo aside: "
                f"{run.stderr[-600:]}"
            )
            found_damage = True
            continue
        assert run.returncode == 0 and run.result is not None, f"{what}: {run.stderr[-800:]}"
        assert run.result["families"] == oracle, f"{what}: a wrong answer"
        problems = run.result["problems"]
        assert not (found_damage and problems), f"{what}: the memo after damage: {problems}"
        tally.problems += len(problems)
        tally.log.extend(problems)
        tally.log.append(f"run {tally.runs}: {run.result['counters']} {os.listdir(memo_dir)}")
        found_damage = bool(problems)
        quiet = run.result["memo"] and not problems
        if quiet and run.result["counters"]["files_read"] == 0:
            return tally
        if quiet and tally.runs >= 4 and not (tally.crashes or tally.problems):
            # Damage nobody has seen yet (keys out of order after flipped
            # bits, say): answers stay right (stamps, checksums), some files
            # are read each time. Only a full structural walk finds it.
            tally.undetected = True
            return tally
    raise AssertionError(f"{what}: memo not rebuilt after {tally.runs} runs: {tally}")


# -- the defects, one test each ----------------------------------------------


def test_fault_inside_lmdb_costs_one_run(
    repo: Path, filled: Path, oracle: dict[str, Any], tmp_path: Path
) -> None:
    """A leaf node that claims a 4 GiB value makes LMDB read past the map:
    the first run dies, the crash guard sets the file aside, the next run
    works (before the guard every run died)."""
    memo_dir = _copy(filled, tmp_path / "memo")
    data = memo_dir / "data.mdb"
    raw = bytearray(data.read_bytes())
    page = _leaf_pages(raw)[len(_leaf_pages(raw)) // 2] * PAGE
    first_node = struct.unpack_from("<H", raw, page + 16)[0]
    struct.pack_into("<HH", raw, page + first_node, 0xFFFF, 0xFFFF)  # data size
    data.write_bytes(bytes(raw))
    first = _run(repo, memo_dir)
    assert first.died, "the damage no longer crashes LMDB: pick another"
    assert "package memo" in first.stderr and _set_aside(memo_dir)
    tally = _until_rebuilt(repo, memo_dir, oracle, "4 GiB value")
    assert tally.crashes == 0 and tally.runs <= 2


@pytest.mark.parametrize("damage", ["root_flags", "leaf_flags"])
def test_damage_found_after_open_is_set_aside_with_one_warning(
    repo: Path, filled: Path, oracle: dict[str, Any], tmp_path: Path, damage: str
) -> None:
    """LMDB reports damage mid-run (MDB_CORRUPTED): one warning through the
    pyrer@ repository for the whole run (not one per family), the file set
    aside, and the next process starts afresh."""
    memo_dir = _copy(filled, tmp_path / "memo")
    raw = (memo_dir / "data.mdb").read_bytes()
    if damage == "root_flags":
        page = _u64(raw, _current_meta(raw) + MAIN_ROOT_AT)
    else:
        page = _leaf_pages(raw)[-1]
    code = textwrap.dedent(f"""
        import logging, os
        logging.basicConfig(level=logging.WARNING, format="WARN %(message)s")
        os.environ["PYRER_MEMO_DIR"] = {str(memo_dir)!r}
        from rez.package_repository import package_repository_manager as m
        from pyrer._native import repository_families
        repo = m.get_repository("pyrer@{repo}")
        assert repo.memo is not None
        # the damage happens while this process has the memo open
        with open({str(memo_dir / "data.mdb")!r}, "r+b") as f:
            f.seek({page * PAGE + 10})
            f.write(b"\\x10\\x00")
        for name in repository_families({str(repo)!r}):
            repo.load_family(name)
        repo.memo.flush()
        print("loaded", repo.memo.stats()["broken"] is not None)
    """)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYRER_", "REZ_"))}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr[-800:]
    assert "loaded True" in out.stdout
    warnings = [line for line in out.stderr.splitlines() if line.startswith("WARN")]
    assert len(warnings) == 1, warnings[:5]
    assert "damaged" in warnings[0] and _set_aside(memo_dir), warnings
    tally = _until_rebuilt(repo, memo_dir, oracle, damage)
    assert tally.crashes == 0 and tally.problems == 0 and tally.runs <= 2


def test_full_disk_costs_writes_only(
    repo: Path, oracle: dict[str, Any], tmp_path: Path
) -> None:
    """Writes that hit the file size limit (as on a full disk): one notice,
    the answers are right, reads go on, and the next run fills the memo."""
    memo_dir = tmp_path / "memo"
    run = _run(repo, memo_dir, fsize_limit=64 * 1024)
    assert run.returncode == 0 and run.result is not None, run.stderr[-800:]
    assert run.result["families"] == oracle
    assert len(run.result["problems"]) == 1, run.result["problems"][:5]
    assert "no more writes" in run.result["problems"][0]
    assert not _set_aside(memo_dir)
    tally = _until_rebuilt(repo, memo_dir, oracle, "full disk")
    assert tally.crashes == 0 and tally.problems == 0


# -- the random campaign ------------------------------------------------------


def _damage(memo_dir: Path, kind: str, rng: random.Random) -> str:
    data = memo_dir / "data.mdb"
    raw = bytearray(data.read_bytes())
    pages = len(raw) // PAGE
    if kind == "truncate":
        size = rng.randrange(PAGE, len(raw))
        data.write_bytes(bytes(raw[:size]))
        return f"truncated to {size}"
    if kind == "bit_flips":
        flips = [rng.randrange(len(raw) * 8) for _ in range(rng.choice((1, 4, 32)))]
        for bit in flips:
            raw[bit // 8] ^= 1 << (bit % 8)
        data.write_bytes(bytes(raw))
        return f"{len(flips)} bits flipped"
    # pages in use are the likely victims; meta pages sometimes
    page = rng.choice(_leaf_pages(raw) + list(range(pages)))
    raw[page * PAGE:(page + 1) * PAGE] = (
        bytes(PAGE) if kind == "zero_page" else rng.randbytes(PAGE)
    )
    data.write_bytes(bytes(raw))
    return f"page {page} of {pages}"


SUMMARY: Counter[str] = Counter()


@pytest.mark.parametrize("case", range(CASES_PER_KIND))
@pytest.mark.parametrize("kind", ["random_page", "zero_page", "bit_flips", "truncate"])
def test_random_damage(
    repo: Path, filled: Path, oracle: dict[str, Any], tmp_path: Path, kind: str, case: int
) -> None:
    rng = random.Random(f"{kind}-{case}-{os.environ.get('PYRER_FAULT_SEED', '')}")
    memo_dir = _copy(filled, tmp_path / "memo")
    what = f"{kind} #{case}: " + _damage(memo_dir, kind, rng)
    tally = _until_rebuilt(repo, memo_dir, oracle, what)
    SUMMARY.update(cases=1, crashes_first_run=tally.crashes, runs=tally.runs,
                   detected=int(tally.problems > 0 or tally.crashes > 0),
                   undetected_some_misses=int(tally.undetected))


def test_kills_during_commits(repo: Path, filled: Path, oracle: dict[str, Any],
                              tmp_path: Path) -> None:
    """SIGKILL a writer in the middle of big write transactions, many times;
    every next run serves only right answers (LMDB's commit is atomic)."""
    memo_dir = _copy(filled, tmp_path / "memo")
    rng = random.Random(7)
    for i in range(KILLS):
        writer = subprocess.Popen(
            [sys.executable, "-c", WORKER, "write-forever", str(repo), str(memo_dir)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        assert writer.stdout is not None and writer.stdout.readline().strip() == "writing"
        time.sleep(rng.uniform(0.0, 0.4))
        writer.send_signal(signal.SIGKILL)
        _, stderr = writer.communicate(timeout=60)
        assert writer.returncode == -signal.SIGKILL, stderr[-800:]
        run = _run(repo, memo_dir)
        assert run.returncode == 0 and run.result is not None, f"kill {i}: {run.stderr[-800:]}"
        assert run.result["families"] == oracle, f"kill {i}: a wrong answer"
        assert run.result["memo"] and not run.result["problems"], run.result["problems"]
    assert not _set_aside(memo_dir)
    SUMMARY.update(kills=KILLS)


def test_campaign_summary() -> None:
    """Prints the campaign's figures (pytest -s shows them)."""
    print(f"\nmemo fault campaign: {dict(SUMMARY)}")
