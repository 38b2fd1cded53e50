"""Decode Stripe's form encoding into nested values, as the Stripe API reads a request.

Stripe's API takes ``application/x-www-form-urlencoded`` bodies in which nested
values are spelled with brackets: ``metadata[order]=A-1`` is a hash entry,
``payment_method_types[0]=card`` (or ``payment_method_types[]=card``) a list
item. Values stay strings, as on the wire; each endpoint parses its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

_NAME = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")
_PART = re.compile(r"\[([^\[\]]*)\]")


class FormError(ValueError):
    """A parameter name that is not valid bracket syntax."""


def form_decode(pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Return the nested parameters that ``pairs`` spell (hashes as dicts, lists as lists)."""
    root: dict[str, Any] = {}
    for name, value in pairs:
        match = _NAME.match(name)
        if match is None:
            raise FormError(f"Invalid parameter name: {name}")
        keys = [match.group(1), *_PART.findall(match.group(2))]
        node = root
        for depth, key in enumerate(keys):
            last = depth == len(keys) - 1
            if key == "":
                key = str(len(node))  # "a[]=x" appends
            if last:
                node[key] = value
                break
            child = node.setdefault(key, {})
            if not isinstance(child, dict):
                raise FormError(f"Parameter {name} mixes a value and a hash")
            node = child
    return _lists(root)


def _lists(value: Any) -> Any:
    """Turn hashes keyed 0..n-1 into lists, recursively."""
    if not isinstance(value, dict):
        return value
    converted = {key: _lists(item) for key, item in value.items()}
    if converted and all(key.isdigit() for key in converted):
        indexes = sorted(converted, key=int)
        if [int(i) for i in indexes] == list(range(len(indexes))):
            return [converted[i] for i in indexes]
    return converted
