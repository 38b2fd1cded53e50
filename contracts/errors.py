"""Contract errors: the failures a caller of any module must be ready for.

Each class carries a machine-readable ``code``. The HTTP status that goes
with each class is decided in one place (``kernel.problems``), so modules
raise domain errors and never think about HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True, kw_only=True)
class FieldProblem:
    field: str
    code: str
    detail: str


class ContractError(Exception):
    """Base of every error a contract may raise."""

    code: str = "contract_error"
    # Instance attributes, annotated so the codec can rebuild an error that crossed the wire.
    detail: str
    extra: dict[str, Any]

    def __init__(self, detail: str = "", *, code: str | None = None, **extra: object) -> None:
        super().__init__(detail or self.__class__.__doc__ or self.code)
        self.detail = detail or (self.__class__.__doc__ or self.code).strip()
        if code is not None:
            self.code = code
        self.extra = extra


class InvalidInput(ContractError):
    """The request is malformed or breaks a business rule."""

    code = "invalid"
    errors: tuple[FieldProblem, ...]

    def __init__(
        self, detail: str = "", *, code: str | None = None, errors: tuple[FieldProblem, ...] = (), **extra: object
    ) -> None:
        super().__init__(detail, code=code, **extra)
        self.errors = errors


class NotFound(ContractError):
    """The thing asked for does not exist."""

    code = "not_found"


class Conflict(ContractError):
    """The request conflicts with the current state."""

    code = "conflict"


class ServiceUnavailable(ContractError):
    """A module that serves this contract could not answer in time."""

    code = "service_unavailable"
