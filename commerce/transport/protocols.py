"""Which Protocol describes each module's contract, and the calls it allows."""

from __future__ import annotations

import functools
import inspect
import typing
from typing import Any

from contracts.container import contract_protocols

CONTRACT_PROTOCOLS: dict[str, type] = contract_protocols()


@functools.cache
def contract_methods(protocol: type) -> dict[str, dict[str, Any]]:
    """Return each public method of ``protocol`` with its resolved parameter and return types.

    Cached: resolving type hints is slow, and a Protocol never changes in a running process.
    """
    return {
        name: typing.get_type_hints(member)
        for name, member in inspect.getmembers(protocol, inspect.isfunction)
        if not name.startswith("_")
    }
