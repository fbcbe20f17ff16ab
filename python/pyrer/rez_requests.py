"""rez's validation of a package's requirement lists, without its cost.

rez turns the requirement strings of a package definition (``requires``,
``build_requires``, ``private_build_requires``, ``variants``) into
`PackageRequest` objects through its schema library the first time each is
read: for every resolved package of a ``rez env``, since a variant's root
is made from its variant's requirements. The schema machinery and rez's
requirement parser cost about 0.1 ms per package (a fifth of a warm
``rez env``'s own work on rez's benchmark repository), and the same strings
come back in package after package (``platform-linux``, ``python-3.9``).

This module gives rez's filesystem package resources a ``_validate_key``
(rez's hook for it) that, for those four keys, builds the very value the
schema builds: for a list of strings (a list of such lists for
``variants``) a new list of new `PackageRequest` objects equal to
``PackageRequest(s)`` for each string, copied from one parsed per distinct
string in this process. Anything else (an ``@late`` function, a value of
another type, a string rez refuses) goes to rez's own schema, so errors are
rez's own. The copies share the parsed version range, as rez's own requests
often do; rez never changes a request or a range once made.

The hook is installed with `pyrer.rez_definitions` (by ``import
pyrer.solver_shim`` and by every ``pyrer@`` repository), only where the
schemas are the ones it was written for.
"""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger("pyrer.requests")

# key -> True for a list of lists of strings (variants), False for a list
_LIST_KEYS = {
    "requires": False,
    "build_requires": False,
    "private_build_requires": False,
    "variants": True,
}
# rez's schemas for those keys, as rez 3.x writes them; the hook handles a
# key only while rez still validates it with exactly this schema
_EXPECTED = {
    False: "Or(<class 'rez.utils.sourcecode.SourceCode'>, [And(<class 'str'>, "
    "Use(<class 'rez.utils.formatting.PackageRequest'>))])",
    True: "[[And(<class 'str'>, Use(<class 'rez.utils.formatting.PackageRequest'>))]]",
}
_CACHE_LIMIT = 100_000

# requirement string -> a request parsed from it, never handed out itself
_parsed: dict[str, Any] = {}


def _schemas(module: Any) -> dict[str, Any]:
    """The schema object of each key the hook can handle, from rez's own
    package resource schema."""
    schema_dict = getattr(module.FileSystemPackageResource.schema, "_schema", {})
    found = {}
    for key, key_schema in schema_dict.items():
        name = getattr(key, "_schema", key)
        nested = _LIST_KEYS.get(name) if isinstance(name, str) else None
        if nested is not None and repr(key_schema) == _EXPECTED[nested]:
            found[name] = key_schema
    return found


def requests(strings: Any) -> list[Any] | None:
    """``[PackageRequest(s) for s in strings]`` as new objects, or None where
    rez's schema must decide (not a list of plain strings, a string rez
    refuses)."""
    from rez.utils.formatting import PackageRequest

    if not isinstance(strings, list):
        return None
    out = []
    for s in strings:
        if type(s) is not str:
            return None
        parsed = _parsed.get(s)
        if parsed is None:
            try:
                parsed = PackageRequest(s)
            except Exception:  # rez's schema raises its own error for it
                return None
            if len(_parsed) >= _CACHE_LIMIT:
                _parsed.clear()
            _parsed[s] = parsed
        # a copy of the parsed request: what copy.copy does, without its
        # generic protocol (requests keep all their state in __dict__)
        request = PackageRequest.__new__(PackageRequest)
        request.__dict__.update(parsed.__dict__)
        out.append(request)
    return out


def _validated(key: str, value: Any) -> list[Any] | None:
    if not _LIST_KEYS[key]:
        return requests(value)
    if not isinstance(value, list):
        return None
    out = []
    for variant in value:
        validated = requests(variant)
        if validated is None:
            return None
        out.append(validated)
    return out


def install_into(module: Any) -> None:
    """Gives `module`'s (rez's filesystem plugin's) package resources the
    hook, once; leaves them alone where rez's schemas are not the expected
    ones or the class already has a ``_validate_key`` of its own."""
    resource = getattr(module, "FileSystemPackageResource", None)
    if resource is None or hasattr(resource, "_validate_key"):
        return
    schemas = _schemas(module)
    if not schemas:
        log.debug("pyrer: rez's requirement schemas are not the known ones; not hooked")
        return

    def _validate_key(self: Any, key: str, value: Any, key_schema: Any) -> Any:
        if schemas.get(key) is key_schema:
            validated = _validated(key, value)
            if validated is not None:
                return validated
        return self._validate_key_impl(key, value, key_schema)

    _validate_key._pyrer_requests = True  # type: ignore[attr-defined]
    resource._validate_key = _validate_key


def is_installed(module: Any) -> bool:
    resource = getattr(module, "FileSystemPackageResource", None)
    return bool(getattr(getattr(resource, "_validate_key", None), "_pyrer_requests", False))
