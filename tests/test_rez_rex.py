"""`pyrer.rez_rex`: rex's formatting of plain strings, without its cost.

rez is the oracle: the hooked `NamespaceFormatter.format` must give what
rez's own gives (value or error) for any string, namespace and variable
pattern, and a context's whole shell script must be the one rez writes.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pyrer import rez_rex

ROOT = Path(__file__).resolve().parent.parent
STUDIO = ROOT / "tests" / "data" / "studio_repo"


@pytest.fixture(scope="module")
def rex() -> Iterator[Any]:
    import pyrer.solver_shim  # noqa: F401  (installs the hook)
    import rez.rex

    assert rez_rex.is_installed()
    yield rez.rex


def _outcome(call: Any) -> Any:
    try:
        return ("value", call())
    except Exception as e:
        return ("error", type(e).__name__, str(e))


def _same_as_rez(rex: Any, text: str, namespace: dict[str, Any], regex: Any) -> None:
    formatter = rex.NamespaceFormatter(namespace)
    original = rex.NamespaceFormatter.format.__wrapped__
    kwargs = {} if regex is None else {"regex": regex}
    ours = _outcome(lambda: formatter.format(text, **kwargs))
    theirs = _outcome(lambda: original(formatter, text, **kwargs))
    assert ours == theirs, (text, regex)
    assert formatter.namespace is formatter.initial_namespace


def _patterns(rex: Any) -> list[Any]:
    from rezplugins.shell._utils.powershell_base import PowerShellBase

    return [None, rex.ActionInterpreter.ENV_VAR_REGEX, PowerShellBase.ENV_VAR_REGEX]


PLAIN = ["REZ_FOO_VERSION", "2015.6.m1", "/sw/pkg/foo/1.0/python-3.9", "", "variables for foo"]
MARKED = ["{root}/bin", "$PATH:{root}", "${HOME}/x", "{{literal}}", "{", "}", "$", "a}b{c",
          "{this.version}", "{missing}", "{0}", "$env:PATH", "%PATH%"]  # fmt: skip


def test_known_strings_format_as_rez_formats(rex: Any) -> None:
    namespace = {"root": "/sw/pkg/foo/1.0", "this": type("T", (), {"version": "1.0"})()}
    for regex in _patterns(rex):
        for text in PLAIN + MARKED:
            _same_as_rez(rex, text, namespace, regex)


@given(st.text(alphabet="ab_ 1.$/{}:%!r", max_size=14), st.integers(0, 2))
def test_random_strings_format_as_rez_formats(rex: Any, text: str, which: int) -> None:
    _same_as_rez(rex, text, {"a": "A", "b": "{a}", "ab": "$a"}, _patterns(rex)[which])


def test_context_scripts_are_rez_scripts(rex: Any) -> None:
    """A studio context's whole bash script, hooked and as rez writes it."""
    from rez.package_repository import package_repository_manager
    from rez.resolved_context import ResolvedContext
    from rez.rex import RexExecutor
    from rez.shells import create_shell

    def script(request: list[str]) -> str:
        package_repository_manager.clear_caches()
        context = ResolvedContext(request, package_paths=[str(STUDIO)])
        assert context.success, context.failure_description
        executor = RexExecutor(interpreter=create_shell("bash"), parent_environ={})
        context._execute(executor)
        return str(executor.get_output())

    requests = [["maya-2024", "studio_maya_tools"], ["nuke-15", "studio_nuke_tools"],
                ["houdini-20", "usd"], ["studio_pipeline", "python-3.11"]]  # fmt: skip
    hooked = rex.NamespaceFormatter.format
    ours = [script(r) for r in requests]
    rex.NamespaceFormatter.format = hooked.__wrapped__
    try:
        theirs = [script(r) for r in requests]
    finally:
        rex.NamespaceFormatter.format = hooked
    for request, a, b in zip(requests, ours, theirs):
        # REZ_USED_TIMESTAMP is the time each context was made
        strip = [line for line in a.splitlines() if "REZ_USED_TIMESTAMP" not in line]
        assert strip == [line for line in b.splitlines() if "REZ_USED_TIMESTAMP" not in line]
        assert "{root}" not in a and request[0].split("-")[0] in a
