"""Who may call this process's internal endpoints, and what this process presents when it calls another.

Calling and serving are configured apart, so that a process that only calls
remote modules serves nothing:

- calling: the token presented to the service that runs ``<module>`` is
  ``<MODULE>_SERVICE_TOKEN`` (``CONTRACTS_SERVICE_TOKENS``), else
  ``CONTRACTS_CLIENT_TOKEN``;
- serving: ``CONTRACTS_SERVE_TOKENS`` maps each caller (the module, or the
  ``+``-joined modules, its process runs) to the token it presents. The
  receiver knows from the token which modules called, and accepts an event
  only from the module that publishes it. Unset, nothing is served.

Every token has at least ``TOKEN_MIN_LENGTH`` characters once stripped: a
shorter one is a start-up error (``commerce/checks.py``), and while one is
configured the internal endpoints serve nothing.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import ipaddress
from dataclasses import dataclass

from django.conf import settings

from contracts.container import MODULES

TOKEN_MIN_LENGTH = 32

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True, slots=True, kw_only=True)
class Caller:
    """One credential the internal endpoints accept: the modules its holder runs, and the token's digest."""

    name: str
    modules: frozenset[str]
    digest: bytes


@dataclass(frozen=True, slots=True, kw_only=True)
class ServeConfig:
    """What the internal endpoints need to decide, parsed once per distinct configuration."""

    callers: tuple[Caller, ...]
    networks: tuple[IPNetwork, ...]
    problems: tuple[str, ...]

    @property
    def serving(self) -> bool:
        return bool(self.callers) and not self.problems


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def _short(setting: str, token: str) -> str | None:
    if len(token.strip()) < TOKEN_MIN_LENGTH:
        return f"{setting} is shorter than {TOKEN_MIN_LENGTH} characters"
    return None


@functools.cache
def _serve_config(tokens: tuple[tuple[str, str], ...], networks: tuple[str, ...]) -> ServeConfig:
    problems: list[str] = []
    callers = []
    seen: dict[bytes, str] = {}
    for name, token in tokens:
        modules = frozenset(part.strip() for part in name.split("+") if part.strip())
        if not modules or modules - set(MODULES):
            problems.append(
                f"CONTRACTS_SERVE_TOKENS names an unknown caller {name!r} "
                f"(a module, or modules joined with '+', of: {', '.join(MODULES)})"
            )
        if short := _short(f"CONTRACTS_SERVE_TOKENS[{name}]", token):
            problems.append(short)
        digest = _digest(token.strip())
        if digest in seen and seen[digest] != name:
            problems.append(f"CONTRACTS_SERVE_TOKENS gives {seen[digest]!r} and {name!r} the same token")
        seen[digest] = name
        callers.append(Caller(name=name, modules=modules, digest=digest))
    parsed = []
    for network in networks:
        try:
            parsed.append(ipaddress.ip_network(network.strip(), strict=False))
        except ValueError as error:
            problems.append(f"CONTRACTS_ALLOWED_NETWORKS: {error}")
    return ServeConfig(callers=tuple(callers), networks=tuple(parsed), problems=tuple(problems))


def serve_config() -> ServeConfig:
    """Return the parsed serving configuration of the current settings."""
    return _serve_config(
        tuple(sorted(getattr(settings, "CONTRACTS_SERVE_TOKENS", {}).items())),
        tuple(getattr(settings, "CONTRACTS_ALLOWED_NETWORKS", ())),
    )


def caller_identify(config: ServeConfig, authorization: str) -> Caller | None:
    """Return the caller whose token ``authorization`` (``Bearer <token>``) presents, or None.

    Only the ``Bearer`` scheme (case-insensitive, as RFC 9110 has it). The
    presented token is compared with every configured one, in constant time
    and without stopping at a match, so timing tells nothing of which, or how
    much of one, matched.
    """
    scheme, _, presented = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not presented.strip():
        return None
    digest = _digest(presented.strip())
    found = None
    for caller in config.callers:
        if hmac.compare_digest(digest, caller.digest):
            found = caller
    return found


def address_allowed(config: ServeConfig, address: str) -> bool:
    """Tell whether ``address`` (the request's REMOTE_ADDR) is in the allow-list; no allow-list allows all."""
    if not config.networks:
        return True
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip in network for network in config.networks)


def client_token_for(module: str) -> str:
    """Return the token this process presents to the service that runs ``module``."""
    per_service = getattr(settings, "CONTRACTS_SERVICE_TOKENS", {}).get(module, "")
    return (per_service or settings.CONTRACTS_CLIENT_TOKEN).strip()


def configuration_problems() -> list[str]:
    """Return every error in the internal transport's settings, calling and serving (for the system checks)."""
    problems = list(serve_config().problems)
    if settings.CONTRACTS_CLIENT_TOKEN and (short := _short("CONTRACTS_CLIENT_TOKEN (or CONTRACTS_TOKEN)", settings.CONTRACTS_CLIENT_TOKEN)):
        problems.append(short)
    per_service = getattr(settings, "CONTRACTS_SERVICE_TOKENS", {})
    for module in sorted(per_service):
        if short := _short(f"{module.upper()}_SERVICE_TOKEN", per_service[module]):
            problems.append(short)
    for module in sorted(settings.MODULE_SERVICE_URLS):
        if not client_token_for(module):
            problems.append(
                f"{module.upper()}_SERVICE_URL is set but neither {module.upper()}_SERVICE_TOKEN nor "
                "CONTRACTS_CLIENT_TOKEN is: every call to it would be refused"
            )
    return problems
