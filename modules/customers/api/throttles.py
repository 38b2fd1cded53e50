"""Abuse limits of the customers API: sign-in and password resets, per client address and per email."""

from __future__ import annotations

import hashlib
from typing import Any

from kernel.throttles import SettingsRateThrottle, throttle_for

SignInAddressThrottle = throttle_for("customer_sign_in")
ResetAddressThrottle = throttle_for("customer_reset")
RegisterAddressThrottle = throttle_for("customer_register")


def _email_throttle(scope: str) -> type[SettingsRateThrottle]:
    """Count per email in the body (hashed), so guessing one account's password from many addresses is slowed too."""

    class Throttle(SettingsRateThrottle):
        def get_cache_key(self, request: Any, view: Any) -> str | None:
            email = request.data.get("email") if isinstance(request.data, dict) else None
            if not isinstance(email, str) or not email:
                return None
            ident = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
            return self.cache_format % {"scope": self.scope, "ident": ident}

    Throttle.scope = scope
    Throttle.__name__ = Throttle.__qualname__ = f"{scope.title().replace('_', '')}Throttle"
    return Throttle


SignInEmailThrottle = _email_throttle("customer_sign_in_email")
ResetEmailThrottle = _email_throttle("customer_reset_email")
