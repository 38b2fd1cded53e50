"""What every fake shares: a record of the calls made to it, and failures a test can arm per method."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Call:
    """One call of a contract method, with its keyword arguments."""

    method: str
    kwargs: dict[str, Any]


class Recording:
    """Base of the fakes: ``calls`` in order; ``fail[method] = error`` makes that method raise before any effect.

    Failing before the effect stands for a module that is down or timed out
    before it acted; remove the entry (``fail.pop(method)``) to heal it.
    """

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.fail: dict[str, BaseException] = {}

    def count(self, method: str) -> int:
        """Return how many times ``method`` was called."""
        return sum(1 for call in self.calls if call.method == method)

    def called(self, method: str) -> list[dict[str, Any]]:
        """Return the keyword arguments of each call of ``method``, in order."""
        return [call.kwargs for call in self.calls if call.method == method]

    def _enter(self, method: str, **kwargs: Any) -> None:
        self.calls.append(Call(method, kwargs))
        error = self.fail.get(method)
        if error is not None:
            raise error
