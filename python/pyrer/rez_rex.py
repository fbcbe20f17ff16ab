"""rex's formatting of strings it leaves unchanged, without its cost.

Building a context's environment, rez formats every key, value and comment
through `rez.rex.NamespaceFormatter.format`: a regular expression pass that
protects ``$VAR`` references, then Python's `string.Formatter` over
``{field}`` references. For a resolve of a few hundred packages that is
thousands of calls (six variables and a comment per package), nearly all on
plain text such as ``REZ_FOO_VERSION`` or a version string, and about a
tenth of a warm ``rez env``'s own work.

A string holding none of ``$``, ``{`` and ``}`` comes out of that method
unchanged: every match of rez's variable pattern starts with ``$``, and a
format string without braces is all literal text. So the method returns
such a string at once, and hands every other one, and any call with a
variable pattern other than rez's own (another shell's), to rez's code.

Installed by ``import pyrer.solver_shim``.
"""

from __future__ import annotations

import functools
import logging
import re
from typing import Any, Callable

log = logging.getLogger("pyrer.rex")

TARGET = "rez.rex"
# rez's variable pattern (`ActionInterpreter.ENV_VAR_REGEX`, also bash's):
# both alternatives start with a literal "$"
_SAFE_PATTERNS = frozenset({r"\${([^\{\}]+?)}|\$([a-zA-Z_]+[a-zA-Z0-9_]*?)"})


def _wrap(original: Callable[..., str], default_regex: Any) -> Callable[..., str]:
    @functools.wraps(original)
    def format(self: Any, format_string: Any, *args: Any, **kwargs: Any) -> str:
        if (
            type(format_string) is str
            and "$" not in format_string
            and "{" not in format_string
            and "}" not in format_string
            and getattr(kwargs.get("regex") or default_regex, "pattern", None) in _SAFE_PATTERNS
        ):
            return format_string
        return original(self, format_string, *args, **kwargs)

    format._pyrer_rex = True  # type: ignore[attr-defined]
    return format


def install_into(module: Any) -> None:
    """Gives `module`'s (rez.rex's) `NamespaceFormatter.format` the fast
    path, once; only where rez's default variable pattern is the known one."""
    formatter = getattr(module, "NamespaceFormatter", None)
    interpreter = getattr(module, "ActionInterpreter", None)
    original = getattr(formatter, "format", None)
    if original is None or getattr(original, "_pyrer_rex", False):
        return
    default_regex = getattr(interpreter, "ENV_VAR_REGEX", None)
    if not isinstance(default_regex, re.Pattern) or default_regex.pattern not in _SAFE_PATTERNS:
        log.debug("pyrer: rex's variable pattern is not the known one; not hooked")
        return
    formatter.format = _wrap(original, default_regex)


def install() -> None:
    """`install_into` rez.rex now, or as soon as it is imported."""
    from pyrer.import_patch import patch_on_import

    patch_on_import(TARGET, install_into)


def is_installed() -> bool:
    import sys

    formatter = getattr(sys.modules.get(TARGET), "NamespaceFormatter", None)
    return bool(getattr(getattr(formatter, "format", None), "_pyrer_rex", False))
