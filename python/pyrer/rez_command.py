"""Fill pyrer's package memo ahead of time (same as the pyrer-index command)."""

# The rez command plugin ``rez pyrer-index``, found by rez's plugin scan as
# `pyrer.rezplugins.command` ``pyrer-index.py``. rez imports every command
# plugin on each ``rez`` call, so this module imports nothing heavy itself.

from __future__ import annotations

import argparse
from typing import Any

command_behavior = {"hidden": False, "arg_mode": None}


def setup_parser(parser: argparse.ArgumentParser, completions: bool = False) -> None:
    from pyrer.index import add_arguments

    add_arguments(parser)


def command(opts: argparse.Namespace, parser: Any = None, extra_arg_groups: Any = None) -> None:
    import sys

    from pyrer.index import run

    sys.exit(run(opts))


def register_plugin() -> type:
    from rez.command import Command

    class PyrerIndexCommand(Command):
        schema_dict: dict[str, Any] = {}

        @classmethod
        def name(cls) -> str:
            return "pyrer-index"

    return PyrerIndexCommand
