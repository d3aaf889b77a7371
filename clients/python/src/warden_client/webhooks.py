"""Checking Warden's webhook signatures.

Every delivery carries ``X-Warden-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>]``: HMAC-SHA256, keyed
with the endpoint's secret (the whole ``whsec_...`` string, as UTF-8), over ``"<t>.<raw body>"``. While a
rotated-out secret is still honoured there are two ``v1`` values, one per secret; one match is enough.
Check the raw bytes you received, before parsing them, and refuse old timestamps so a captured
delivery cannot be replayed later.
"""

import hashlib
import hmac
import json
import re
import time
from typing import Any, Dict, List, Mapping, Optional, Tuple

SIGNATURE_HEADER = "X-Warden-Signature"
DELIVERY_HEADER = "X-Warden-Delivery"
DEFAULT_TOLERANCE = 300.0


class InvalidSignature(Exception):
    """The delivery's signature is missing, malformed, too old or made with another secret."""


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The header value Warden sends for ``body`` at ``timestamp`` (for tests of your receiver)."""
    return f"t={timestamp},v1={_mac(secret, timestamp, body)}"


def verify(secret: str, header: Optional[str], body: bytes, *, tolerance: float = DEFAULT_TOLERANCE,
           now: Optional[float] = None) -> int:
    """Checks ``header`` (the ``X-Warden-Signature`` value) against ``body`` and returns its timestamp.

    Raises :class:`InvalidSignature` naming what was wrong."""
    if not header:
        raise InvalidSignature(f"no {SIGNATURE_HEADER} header")
    if not isinstance(header, str):
        raise InvalidSignature(f"{SIGNATURE_HEADER} must be text (decode the header), got {type(header).__name__}")
    timestamp, signatures = _parse(header)
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        raise InvalidSignature(f"timestamp {timestamp} is more than {tolerance:g} s from now")
    expected = _mac(secret, timestamp, body)
    # compare_digest against every v1 value, so the time taken does not tell which one matched.
    matched = False
    for candidate in signatures:
        matched |= hmac.compare_digest(expected, candidate)
    if not matched:
        raise InvalidSignature("no v1 signature matches this secret")
    return timestamp


def parse_delivery(secret: str, headers: Mapping[str, str], body: bytes, *,
                   tolerance: float = DEFAULT_TOLERANCE, now: Optional[float] = None) -> Dict[str, Any]:
    """Verifies a delivery and returns its JSON body (``id``, ``kind``, ``guild_id``, ``created_at``,
    ``payload``, ``delivery_id``, ``attempt``). ``headers`` lookups ignore case."""
    lowered = {k.lower(): v for k, v in headers.items()}
    verify(secret, lowered.get(SIGNATURE_HEADER.lower()), body, tolerance=tolerance, now=now)
    try:
        decoded = json.loads(body)
    except (ValueError, RecursionError) as error:  # RecursionError: nesting deeper than Python's stack
        raise InvalidSignature(f"signed body is not JSON: {error}") from error
    if not isinstance(decoded, dict):
        raise InvalidSignature("signed body is not a JSON object")
    return decoded


def _parse(header: str) -> Tuple[int, List[str]]:
    timestamp: Optional[int] = None
    signatures: List[str] = []
    for part in header.split(","):
        key, sep, value = part.strip().partition("=")
        if not sep:
            raise InvalidSignature(f"malformed {SIGNATURE_HEADER} part {part.strip()!r}")
        if key == "t":
            # ASCII digits only: str.isdigit() also takes "²" and "٣", which int() refuses or reads oddly.
            if not re.fullmatch(r"[0-9]{1,12}", value):
                raise InvalidSignature(f"timestamp {value[:24]!r} is not a whole number of seconds")
            timestamp = int(value)
        elif key == "v1":
            # compare_digest refuses non-ASCII text with TypeError: a hostile value is malformed, not a crash.
            if not re.fullmatch(r"[0-9a-fA-F]{1,128}", value):
                raise InvalidSignature(f"v1 signature {value[:24]!r} is not hex")
            signatures.append(value.lower())
    if timestamp is None:
        raise InvalidSignature(f"{SIGNATURE_HEADER} has no t=")
    if not signatures:
        raise InvalidSignature(f"{SIGNATURE_HEADER} has no v1=")
    return timestamp, signatures


def _mac(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
