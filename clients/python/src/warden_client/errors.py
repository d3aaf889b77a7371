"""The errors a Warden call raises: the API's own ``{"error": {"code", "message"}}`` as an exception."""

from __future__ import annotations

from typing import Optional


class WardenError(Exception):
    """The service answered with an error (4xx or 5xx), or could not be reached.

    ``status`` is the HTTP status (0 when no answer came), ``code`` the API's machine-readable code
    (``invalid_field``, ``forbidden_role``, ``store_unavailable``, ...; ``connection_failed`` when no answer
    came), ``message`` its human-readable text, naming what was wrong and where.
    """

    def __init__(self, status: int, code: str, message: str, *, method: str = "", path: str = "",
                 retry_after: Optional[float] = None) -> None:
        super().__init__(f"{method} {path}: {status} {code}: {message}".strip())
        self.status = status
        self.code = code
        self.message = message
        self.method = method
        self.path = path
        self.retry_after = retry_after


class Unavailable(WardenError):
    """503: the store is unavailable or busy, or the service is shutting down; raised once the client's
    retries (each after the answer's ``Retry-After``) are spent. Nothing was judged or stored: send again
    later, the API is idempotent for messages."""
