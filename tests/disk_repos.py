"""Random rez repositories written to disk as real package definition files.

The repositories and requests come from the generator of the in-memory
differential (`test_solver_random_diff.generate_case`: random versions and
every requirement syntax, weak/conflict/ephemeral requirements, variants,
missing families, cycles); this module adds what only exists on disk: how
each package is *written*.  Every package gets a `Form`:

- ``static``: plain assignments (``name``, ``version``, ``requires``,
  ``variants``), what pyrer's static parser reads;
- ``extras``: the same plus fields the solver ignores (``description``, a
  ``commands`` function, ``build_requires``, ``tests``, ``uuid``);
- ``no_version``: no ``version`` field, rez takes it from the directory;
- ``early``: ``requires`` and ``variants`` returned by ``@early``
  functions with static bodies, which the static parser runs itself;
- ``early_env``: the same functions reading an (unset) environment
  variable first: the static parser declines it, rez's evaluator loads it;
- ``import``: an ``import os`` at the top, used there (declined by the static parser);
- ``computed``: requirement lists built by Python expressions;
- ``yaml``: a ``package.yaml`` (rez's other definition format);
- ``yaml_decoy``: a ``package.py`` plus a ``package.yaml`` with other
  requirements in the same folder (rez reads the one its
  ``package_filenames`` order finds first).

Layout: ``family/version/package.py``, or ``family/package.py`` for an
unversioned package.
"""

from __future__ import annotations

import json
import os
import random
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyrer
import solver_harness as harness
import test_solver_random_diff as memory_diff
from solver_harness import NO_VERSION, Outcome, RepoData

import rezplugins.solver_shim as shim

shim.deactivate()  # importing activates it; `shim_on` scopes it to the calls that want it

# Fields of a saved context that differ between any two resolves.
VOLATILE = {"created", "timestamp", "solve_time", "load_time", "num_loaded_packages"}

FORMS = ("static", "extras", "no_version", "early", "early_env", "import", "computed", "yaml",
         "yaml_decoy")
FORM_WEIGHTS = (0.5, 0.1, 0.06, 0.05, 0.04, 0.07, 0.06, 0.09, 0.03)

Forms = dict[str, dict[str, str]]
"""``{family: {version_or_NO_VERSION: form}}``, alongside a `RepoData`."""


@dataclass
class DiskCase:
    """One random repository and several requests to solve in it."""

    seed: int
    repo: RepoData
    forms: Forms
    requests: list[list[str]]
    modes: list[str]
    memo_evaluated: bool = False
    """Whether the ``pyrer@`` repository may serve evaluated files from the memo
    (``PYRER_MEMO_EVALUATED=1``, what a studio opts into)."""
    notes: list[str] = field(default_factory=list)

    def describe(self) -> str:
        lines = [f"memo_evaluated: {self.memo_evaluated}", "repository (family/version: form):"]
        for fam, versions in self.repo.items():
            for key, pkg in versions.items():
                where = fam if key == NO_VERSION else f"{fam}/{key}"
                lines.append(f"  {where}: {self.forms[fam][key]} {json.dumps(pkg)}")
        return "\n".join(lines)


def family_versions(repo: RepoData) -> dict[str, list[str]]:
    return {
        fam: ["" if key == NO_VERSION else key for key in versions]
        for fam, versions in repo.items()
    }


def random_request(rng: random.Random, repo: RepoData) -> list[str]:
    """A request as `memory_diff.generate_case` draws them (1-3 requirements,
    favouring the first families, sometimes missing or ephemeral ones)."""
    names = list(repo)
    fam_versions = family_versions(repo)
    request: list[str] = []
    for _ in range(rng.choice([1, 1, 2, 2, 3])):
        r = rng.random()
        if r < 0.02:
            name = rng.choice(memory_diff.MISSING_POOL)
            request.append(memory_diff._requirement(rng, name, [], (1, 0, 0)))
        elif r < 0.09:
            name = rng.choice(memory_diff.EPHEMERAL_POOL)
            versions = memory_diff._versions(rng, 2)
            request.append(memory_diff._requirement(rng, name, versions, (0.6, 0.2, 0.2)))
        else:
            name = names[min(int(rng.expovariate(0.9)), len(names) - 1)]
            request.append(
                memory_diff._requirement(
                    rng, name, fam_versions[name], (0.8, 0.1, 0.1), p_keep_unmatched=0.1
                )
            )
    return request


def random_forms(rng: random.Random, repo: RepoData) -> Forms:
    forms: Forms = {}
    for fam, versions in repo.items():
        forms[fam] = {}
        for key in versions:
            form = rng.choices(FORMS, weights=FORM_WEIGHTS)[0]
            if key == NO_VERSION and form in ("no_version", "yaml", "yaml_decoy"):
                form = "static"  # an unversioned package.py never has a version
            forms[fam][key] = form
    return forms


def generate_disk_case(seed: int, n_requests: int) -> DiskCase:
    """A repository (`memory_diff.generate_case`), its forms, and `n_requests` requests."""
    base = memory_diff.generate_case(seed)
    rng = random.Random(f"disk-{seed}")
    forms = random_forms(rng, base.repo)
    requests = [base.request] + [random_request(rng, base.repo) for _ in range(n_requests - 1)]
    modes = [base.variant_select_mode] + [
        "intersection_priority" if rng.random() < 0.3 else "version_priority"
        for _ in range(n_requests - 1)
    ]
    return DiskCase(seed, base.repo, forms, requests, modes, memo_evaluated=rng.random() < 0.3)


# ---------------------------------------------------------------------------
# writing
# ---------------------------------------------------------------------------


def _lines_head(pkg: Mapping[str, Any], with_version: bool = True) -> list[str]:
    lines = [f"name = {pkg['name']!r}"]
    if with_version and pkg.get("version"):
        lines.append(f"version = {pkg['version']!r}")
    return lines


def _assign(lines: list[str], pkg: Mapping[str, Any]) -> None:
    if pkg.get("requires") is not None:
        lines.append(f"requires = {list(pkg['requires'])!r}")
    if pkg.get("variants") is not None:
        lines.append(f"variants = {[list(v) for v in pkg['variants']]!r}")


def package_py(pkg: Mapping[str, Any], form: str) -> str:
    """The text of a package.py that defines `pkg` in the given form."""
    if form in ("static", "yaml_decoy"):
        lines = _lines_head(pkg)
        _assign(lines, pkg)
    elif form == "no_version":
        lines = _lines_head(pkg, with_version=False)
        _assign(lines, pkg)
    elif form == "extras":
        lines = [
            "# -*- coding: utf-8 -*-",
            *_lines_head(pkg),
            "description = 'a package with fields the solver ignores'",
            "authors = ['someone']",
            "uuid = 'repository.' + " + repr(pkg["name"]),
        ]
        _assign(lines, pkg)
        lines += [
            "build_requires = ['cmake-3']",
            "private_build_requires = ['gcc']",
            "tests = {'unit': {'command': 'pytest', 'requires': ['pytest']}}",
            "",
            "def commands():",
            "    env.PATH.append('{root}/bin')",
            "    env.PYTHONPATH.prepend('{root}/python')",
        ]
    elif form in ("early", "early_env"):
        lines = _lines_head(pkg)
        # `or` is outside the static subset: the environment is read first
        prefix = ""
        if form == "early_env":
            prefix = "__import__('os').environ.get('PYRER_TEST_NEVER_SET') or "
        if pkg.get("requires") is not None:
            lines += ["", "@early()", "def requires():",
                      f"    return {prefix}{list(pkg['requires'])!r}"]
        if pkg.get("variants") is not None:
            variants = [list(v) for v in pkg["variants"]]
            lines += ["", "@early()", "def variants():", f"    return {prefix}{variants!r}"]
        if pkg.get("requires") is None and pkg.get("variants") is None:
            lines += ["", "@early()", "def description():", f"    return {prefix}'early'"]
    elif form == "import":
        lines = ["import os", "", *_lines_head(pkg)]
        _assign(lines, pkg)
        lines.append("_unused = os.sep")
    elif form == "computed":
        lines = _lines_head(pkg)
        if pkg.get("requires") is not None:
            lines.append(f"_base = {list(pkg['requires'])!r}")
            lines.append("requires = [r for r in _base]")
        if pkg.get("variants") is not None:
            lines.append(f"variants = list(map(list, {[tuple(v) for v in pkg['variants']]!r}))")
    else:
        raise ValueError(form)
    return "\n".join(lines) + "\n"


def package_yaml(pkg: Mapping[str, Any]) -> str:
    """A package.yaml (flow style: every string double-quoted)."""
    lines = [f"name: {json.dumps(pkg['name'])}"]
    if pkg.get("version"):
        lines.append(f"version: {json.dumps(pkg['version'])}")
    if pkg.get("requires") is not None:
        lines.append(f"requires: {json.dumps(list(pkg['requires']))}")
    if pkg.get("variants") is not None:
        lines.append(f"variants: {json.dumps([list(v) for v in pkg['variants']])}")
    return "\n".join(lines) + "\n"


def _decoy(pkg: Mapping[str, Any]) -> dict[str, Any]:
    decoy = dict(pkg)
    decoy["requires"] = ["decoy_yaml_was_read"]
    decoy.pop("variants", None)
    return decoy


def write_disk_repo(repo: RepoData, forms: Forms, root: Path) -> Path:
    """Write `repo` under `root` in rez's filesystem layout, each package in its form."""
    root.mkdir(parents=True, exist_ok=True)
    for fam, versions in repo.items():
        for key, pkg in versions.items():
            folder = root / fam if key == NO_VERSION else root / fam / key
            folder.mkdir(parents=True, exist_ok=True)
            form = forms[fam][key]
            if form == "yaml":
                (folder / "package.yaml").write_text(package_yaml(pkg))
                continue
            (folder / "package.py").write_text(package_py(pkg, form))
            if form == "yaml_decoy":
                (folder / "package.yaml").write_text(package_yaml(_decoy(pkg)))
    return root


SETTLE_S = 0.1
"""The memo does not remember files written within one timestamp tick (50 ms
on filesystems with nanosecond times) of the present; waiting this long after
writing lets a cold load fill the memo."""


def settle() -> None:
    time.sleep(SETTLE_S)


def all_forms(forms: Forms) -> Sequence[str]:
    return [f for versions in forms.values() for f in versions.values()]


# ---------------------------------------------------------------------------
# solving through pyrer@ repositories and ResolvedContext
# ---------------------------------------------------------------------------


def pyrer_repository(root: Path) -> Any:
    """A fresh ``pyrer@root`` repository object (it opens the memo the environment names)."""
    from pyrer.rez_repository import PyrerPackageRepository
    from rez.package_repository import package_repository_manager

    return PyrerPackageRepository(str(root), package_repository_manager.pool)


def solve_with_repository(repo: Any, request: list[str], mode: str) -> Outcome:
    return harness.run_pyrer(
        pyrer, request, None, variant_select_mode=mode, load_family=repo.load_family
    )


@contextmanager
def shim_on(active: bool) -> Iterator[None]:
    """The solver shim active (``PYRER_SHIM`` unset) or stock rez (``PYRER_SHIM=0``)."""
    saved = os.environ.pop("PYRER_SHIM", None)
    if active:
        shim.activate()
    else:
        os.environ["PYRER_SHIM"] = "0"
    try:
        yield
    finally:
        shim.deactivate()
        os.environ.pop("PYRER_SHIM", None)
        if saved is not None:
            os.environ["PYRER_SHIM"] = saved


def context_answer(request: list[str], paths: list[str], mode: str, active: bool) -> Any:
    """What rez's consumers read of a ``ResolvedContext``: the saved context
    minus times, or the exception it raised."""
    from rez.resolved_context import ResolvedContext

    with harness.rez_settings(mode), shim_on(active):
        try:
            ctx = ResolvedContext(request, package_paths=paths)
        except Exception as e:
            return ("raised", type(e).__name__, str(e))
    d = ctx.to_dict()
    return {k: v for k, v in d.items() if k not in VOLATILE}


def diff_contexts(ours: Any, theirs: Any) -> list[str]:
    if ours == theirs:
        return []
    if isinstance(ours, tuple) or isinstance(theirs, tuple):
        return [f"shim: {_short_ctx(ours)}", f"rez:  {_short_ctx(theirs)}"]
    keys = sorted(k for k in set(ours) | set(theirs) if ours.get(k) != theirs.get(k))
    out = [f"saved context fields differ: {keys}"]
    for k in keys:
        out.append(f"  {k}:\n    shim: {ours.get(k)!r:.600}\n    rez:  {theirs.get(k)!r:.600}")
    return out


def _short_ctx(answer: Any) -> str:
    if isinstance(answer, tuple):
        return f"raised {answer[1]}: {answer[2]}"
    variants = [
        (h["variables"].get("name"), h["variables"].get("version"), h["variables"].get("index"))
        for h in answer.get("resolved_packages") or []
    ]
    return f"{answer.get('status')} {variants}"


@contextmanager
def memo_env(memo_dir: Path, evaluated: bool) -> Iterator[None]:
    keys = ("PYRER_MEMO", "PYRER_MEMO_DIR", "PYRER_MEMO_MAP_SIZE", "PYRER_MEMO_EVALUATED")
    saved = {k: os.environ.get(k) for k in keys}
    os.environ.update(
        PYRER_MEMO="1",
        PYRER_MEMO_DIR=str(memo_dir),
        PYRER_MEMO_MAP_SIZE=str(1 << 20),  # tiny: many memos are open in one process
        PYRER_MEMO_EVALUATED="1" if evaluated else "0",
    )
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def forget_pyrer_repo(root: Path, memo_dir: Path) -> None:
    """Let go of what this repository left in rez's caches and of its memo."""
    from rez.package_repository import package_repository_manager

    package_repository_manager.repositories.pop(f"pyrer@{root}", None)
    package_repository_manager.repositories.pop(str(root), None)
    try:
        from pyrer import memo as memo_module

        getattr(memo_module, "_opened", {}).pop(os.path.abspath(memo_dir), None)
    except ImportError:
        pass


SORT_CRASH = "'<' not supported between instances of 'int' and 'tuple'"
"""rez 3.4's TypeError sorting variants that hold a range-less weak requirement
(``~foo``) on a requested family; pyrer reports it as an ``error`` with the same words."""


def rez_sort_quirk(rez: Outcome, got: Outcome) -> bool:
    """True for a disagreement that is rez's variant-sort crash on one side.

    On package.py files, rez 3.4 is not deterministic there: from one process
    to the next (``PYTHONHASHSEED``) it crashes, or fails on a cycle found
    first; pyrer always reports the crash.  Such a case cannot be compared;
    `test_pyrer_repo_random_diff.test_cycle_before_variant_sort` pins one down.
    """
    if rez.status == got.status:
        return False
    return SORT_CRASH in rez.description or SORT_CRASH in got.description
