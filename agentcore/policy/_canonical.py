"""Canonical JSON and argument hashes: the byte-exact form approvals and the audit log are bound to."""

from __future__ import annotations

import hashlib
import json
from typing import Any


def canonical_json(value: Any) -> str:
    """`value` as canonical JSON: sorted keys, no whitespace, ASCII only, no NaN/Infinity.

    Raises:
        ValueError: `value` holds something JSON cannot represent (a set, an object, NaN...).
    """
    try:
        return json.dumps(value, sort_keys=True, separators=(',', ':'), ensure_ascii=True, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValueError(f'value is not representable as canonical JSON: {exc}') from exc


def args_hash(tool_name: str, arguments: dict[str, Any]) -> str:
    """SHA-256 (hex) of the canonical JSON of `{'tool': tool_name, 'arguments': arguments}`.

    An approval is bound to the exact `(tool_name, args_hash)` pair: any change to the arguments, even a key order
    difference that survives canonicalisation (none does), gives a different hash.

    Raises:
        ValueError: the arguments are not JSON-representable.
    """
    return hashlib.sha256(canonical_json({'tool': tool_name, 'arguments': arguments}).encode('ascii')).hexdigest()
