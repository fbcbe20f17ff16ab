"""rez command plugin ``rez pyrer-index`` (rez names a command plugin after
its module file). Found as the repository plugin is; where pyrer cannot load,
the command is skipped (the repository plugin says why, once)."""

from __future__ import annotations

from typing import Any

try:
    from pyrer.rez_command import command, command_behavior, setup_parser
    from pyrer.rez_command import register_plugin as _register_plugin
except Exception:
    _register_plugin = None


def register_plugin() -> Any:
    return None if _register_plugin is None else _register_plugin()


__all__ = ["command", "command_behavior", "register_plugin", "setup_parser"]
