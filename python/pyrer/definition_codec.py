"""A safe encoding of what rez's loader returns for a package definition file.

rez itself caches loaded files (``cache_package_files`` with memcached) by
pickling them; the memo must never run code on read, so it keeps them as
JSON instead, with the types rez's loader produces kept exact:

* ``str``, ``int``, ``float``, ``bool``, ``None`` and ``list`` are JSON's own;
* every JSON object is a tagged node: ``{"d": [[key, value], ...]}`` a dict
  (any hashable keys, insertion order kept), ``{"t": [...]}`` a tuple and
  ``{"s": state}`` a rez `SourceCode` (``commands`` and friends), rebuilt from
  the same state rez's own pickling keeps (source text, file path, function
  name, how it is evaluated, decorators).

Anything else (a set, a module, a studio's own class, a subclass of a plain
type) is `Unencodable`, and that file is simply not remembered.
"""

from __future__ import annotations

import json
from typing import Any

# Bumped whenever the encoding changes; a payload of another version is a miss.
CODEC_VERSION = 1


class Unencodable(ValueError):
    """A value the encoding cannot hold exactly."""


class UndecodablePayload(ValueError):
    """A payload that is not an intact value of this encoding's version."""


def _source_code_type() -> type:
    from rez.utils.sourcecode import SourceCode

    return SourceCode


def encode(data: Any) -> bytes:
    """`data` as bytes that `decode` turns back into an equal value of the
    same types. Raises `Unencodable`."""
    source_code = _source_code_type()

    def enc(value: Any) -> Any:
        kind = type(value)
        if value is None or kind in (str, int, float, bool):
            return value
        if kind is list:
            return [enc(v) for v in value]
        if kind is tuple:
            return {"t": [enc(v) for v in value]}
        if kind is dict:
            return {"d": [[enc(k), enc(v)] for k, v in value.items()]}
        if kind is source_code:
            return {"s": enc(value.__getstate__())}
        raise Unencodable(f"a {kind.__module__}.{kind.__qualname__} value")

    try:
        return json.dumps([CODEC_VERSION, enc(data)], separators=(",", ":")).encode("ascii")
    except Unencodable:
        raise
    except (ValueError, RecursionError) as e:  # an int too long for str(), a cycle
        raise Unencodable(str(e)) from e


def _node(obj: dict) -> Any:
    """One tagged JSON object of a payload, as the value it stands for."""
    if len(obj) == 1:
        ((tag, body),) = obj.items()
        if tag == "d" and type(body) is list:
            return {k: v for k, v in body}
        if tag == "t" and type(body) is list:
            return tuple(body)
        if tag == "s" and type(body) is dict:
            source_code = _source_code_type()
            code = source_code.__new__(source_code)
            code.__setstate__(body)
            return code
    raise UndecodablePayload(f"unknown node {sorted(obj)!r}")


# made once: `json.loads` with a hook builds a decoder on every call, a
# third of a small payload's decoding
_DECODER = json.JSONDecoder(object_hook=_node)


def decode(payload: bytes) -> Any:
    """The value `encode` turned into `payload`. Raises `UndecodablePayload`."""
    try:
        # `encode` writes ASCII; anything else is damage (UnicodeDecodeError
        # is a ValueError)
        version, data = _DECODER.decode(payload.decode("ascii"))
    except UndecodablePayload:
        raise
    except (ValueError, TypeError, KeyError, RecursionError, AttributeError) as e:
        raise UndecodablePayload(str(e)) from e
    if version != CODEC_VERSION:
        raise UndecodablePayload(f"encoding version {version!r}, not {CODEC_VERSION}")
    return data


def same(a: Any, b: Any) -> bool:
    """Equal, with the same types all the way down (``1 == 1.0 == True`` and
    ``[1] != (1,)`` alike are told apart); `SourceCode` by its whole state."""
    if type(a) is not type(b):
        return False
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return list(a) == list(b) and all(
            same(ka, kb) and same(a[ka], b[kb]) for ka, kb in zip(a, b)
        )
    if type(a) is _source_code_type():
        return same(a.__getstate__(), b.__getstate__())
    if isinstance(a, float) and a != a:
        return b != b  # NaN
    return bool(a == b)
