"""Which Protocol describes each module's contract, and the calls it allows."""

from __future__ import annotations

import collections.abc
import dataclasses
import functools
import inspect
import types
import typing
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from contracts.codec import dataclass_hints
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


_SEQUENCES = (list, tuple, set, frozenset, collections.abc.Sequence, collections.abc.Iterable, collections.abc.Set)
_MAX_DEPTH = 32


def value_fits(tp: Any, data: Any, depth: int = 0) -> bool:
    """Tell whether the JSON value ``data`` has the shape of the contract type ``tp``.

    Checked before decoding, so that an argument of the wrong type is refused
    as a malformed call (400) instead of reaching a facade that was promised
    its annotations. Booleans are not numbers here, as in the contracts.
    """
    if depth > _MAX_DEPTH:
        return False
    origin = typing.get_origin(tp)
    if data is None:
        return tp is Any or tp is type(None) or (origin in (typing.Union, types.UnionType) and type(None) in typing.get_args(tp))
    if origin in (typing.Union, types.UnionType):
        return any(value_fits(option, data, depth + 1) for option in typing.get_args(tp) if option is not type(None))
    if origin is typing.Literal:
        return data in typing.get_args(tp)
    if origin in _SEQUENCES or tp in _SEQUENCES:
        args = typing.get_args(tp)
        return isinstance(data, list) and all(value_fits(args[0] if args else Any, item, depth + 1) for item in data)
    if origin in (dict, collections.abc.Mapping) or tp in (dict, collections.abc.Mapping):
        key_type, value_type = typing.get_args(tp) or (Any, Any)
        return isinstance(data, dict) and all(
            value_fits(key_type, key, depth + 1) and value_fits(value_type, value, depth + 1) for key, value in data.items()
        )
    if tp is Any:
        return True
    if dataclasses.is_dataclass(tp):
        if not isinstance(data, dict):
            return False
        hints = dataclass_hints(tp)
        fields = {f.name: f for f in dataclasses.fields(tp) if f.init}
        required = {
            name
            for name, f in fields.items()
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        }
        # Unknown keys are ignored, as the codec does: a newer peer may send fields this one does not know yet.
        return required <= set(data) and all(
            value_fits(hints[name], value, depth + 1) for name, value in data.items() if name in fields
        )
    if tp is bool:
        return isinstance(data, bool)
    if tp is int:
        return isinstance(data, int) and not isinstance(data, bool)
    if tp is float:
        return isinstance(data, int | float) and not isinstance(data, bool)
    if tp is str:
        return isinstance(data, str)
    if tp is Decimal:
        if isinstance(data, bool) or not isinstance(data, str | int | float):
            return False
        try:
            return Decimal(str(data)).is_finite()
        except ArithmeticError:
            return False
    if tp in (datetime, date):
        if not isinstance(data, str):
            return False
        try:
            tp.fromisoformat(data)
        except ValueError:
            return False
        return True
    return True  # other types (enums, ...) are checked when decoded


def call_arguments_fit(hints: dict[str, Any], signature: inspect.Signature, kwargs: Any) -> str | None:
    """Return why ``kwargs`` cannot be the arguments of a call with this signature, or None when they can."""
    if not isinstance(kwargs, dict):
        return "kwargs is not an object"
    parameters = {name: p for name, p in signature.parameters.items() if name != "self"}
    if unknown := set(kwargs) - set(parameters):
        return f"unknown arguments: {', '.join(sorted(unknown))}"
    if missing := {name for name, p in parameters.items() if p.default is inspect.Parameter.empty} - set(kwargs):
        return f"missing arguments: {', '.join(sorted(missing))}"
    for name, value in kwargs.items():
        if not value_fits(hints.get(name, Any), value):
            return f"argument {name} is not a {hints.get(name)}"
    return None


@functools.cache
def contract_signature(protocol: type, method: str) -> inspect.Signature:
    """Return the signature of ``protocol.method``."""
    return inspect.signature(getattr(protocol, method))
