"""Where the package memo lives, and opening it once per process.

The memo is an LMDB environment on local disk. Its directory is, in order:
the ``PYRER_MEMO_DIR`` environment variable, the ``memo_dir`` setting of the
``pyrer`` repository plugin, or ``$XDG_CACHE_HOME/pyrer/memo`` (by default
``~/.cache/pyrer/memo``). ``PYRER_MEMO=0`` turns the memo off. A memo that
cannot be opened (read-only directory, say) is reported once and the
repository works without it.
"""

from __future__ import annotations

import atexit
import logging
import os
import shutil
from pathlib import Path

from pyrer._native import Memo

log = logging.getLogger("pyrer.memo")

# directory -> (the process that opened it, the memo or None when unusable)
_opened: dict[str, tuple[int, Memo | None]] = {}


def default_memo_dir() -> Path:
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(cache) / "pyrer" / "memo"


def memo_dir(setting: str | None = None) -> Path | None:
    """The memo directory to use, or None when the memo is switched off."""
    if os.environ.get("PYRER_MEMO", "1").strip().lower() in ("0", "false", "off", "no"):
        return None
    chosen = os.environ.get("PYRER_MEMO_DIR") or setting
    return Path(chosen).expanduser() if chosen else default_memo_dir()


def map_size() -> int:
    """Initial LMDB map size (bytes); the map grows by doubling when full."""
    try:
        return max(1 << 20, int(os.environ.get("PYRER_MEMO_MAP_SIZE", 256 << 20)))
    except ValueError:
        return 256 << 20


def open_memo(directory: Path | None) -> Memo | None:
    """The process-wide memo for `directory`; None (warned once) if unusable,
    and in a forked child of the process that opened it (LMDB handles must
    not cross fork(); the child reads package files directly)."""
    if directory is None:
        return None
    key = os.path.abspath(directory)
    if key in _opened:
        pid, opened = _opened[key]
        return opened if pid == os.getpid() else None
    try:
        memo: Memo | None = Memo(key, map_size())
    except OSError as e:
        log.warning("pyrer: package memo unavailable, loading package files directly (%s)", e)
        memo = None
    else:
        for notice in memo.notices:
            log.warning("pyrer: %s", notice)
        atexit.register(_flush, memo)
    _opened[key] = (os.getpid(), memo)
    return memo


def _flush(memo: Memo) -> None:
    """Commits what load_family queued (a lost write only costs a parse)."""
    try:
        memo.flush()
    except OSError as e:
        log.warning("pyrer: cannot write the package memo: %s", explain(str(e), memo.path))


# Below this, a failed memo write is most likely the disk being full
LOW_DISK_SPACE = 64 << 20


def explain(message: str, directory: str | os.PathLike[str]) -> str:
    """`message` about the memo in `directory`, with the likely cause added
    where the error itself hides it (LMDB reports a full disk as an I/O error)."""
    try:
        free = shutil.disk_usage(directory).free
    except OSError:
        return message
    if free < LOW_DISK_SPACE:
        return f"{message} (the disk holding {directory} is full: {free:,} bytes free)"
    return message
