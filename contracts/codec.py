"""Turn contract dataclasses into JSON-ready primitives and back, exactly.

Used for events on the wire and for contract calls over HTTP. Decimals
travel as strings, datetimes as ISO 8601, tuples as lists. Fields a newer
version added and this process does not know are ignored on the way in,
so a newer publisher never breaks an older subscriber.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

T = TypeVar("T")


def to_primitive(value: Any) -> Any:
    """Return ``value`` as JSON-ready primitives."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_primitive(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple | frozenset | set):
        items = [to_primitive(v) for v in value]
        return sorted(items) if isinstance(value, frozenset | set) else items
    if isinstance(value, dict):
        return {str(k): to_primitive(v) for k, v in value.items()}
    return value


def from_primitive(cls: type[T], data: Any) -> T:
    """Build an instance of the dataclass ``cls`` from primitives made by ``to_primitive``."""
    return _convert(cls, data)


def _convert(tp: Any, data: Any) -> Any:
    if data is None:
        return None
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(tp) if a is not type(None)]
        return _convert(options[0], data) if len(options) == 1 else data
    if origin in (tuple, list, frozenset, set):
        args = typing.get_args(tp)
        item_type = args[0] if args else Any
        items = [_convert(item_type, v) for v in data]
        return origin(items)
    if origin is dict:
        key_type, value_type = typing.get_args(tp) or (Any, Any)
        return {_convert(key_type, k): _convert(value_type, v) for k, v in data.items()}
    if tp is Any:
        return data
    if dataclasses.is_dataclass(tp):
        hints = typing.get_type_hints(tp)
        known = {f.name for f in dataclasses.fields(tp) if f.init}
        kwargs = {name: _convert(hints[name], value) for name, value in data.items() if name in known}
        return tp(**kwargs)
    if tp is Decimal:
        return Decimal(str(data))
    if tp is datetime:
        return datetime.fromisoformat(data)
    if tp is date:
        return date.fromisoformat(data)
    if origin is typing.Literal:
        return data
    if isinstance(tp, type):
        return tp(data)
    return data
