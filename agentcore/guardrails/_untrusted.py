"""`wrap_untrusted`: delimit tool output and recalled memory as data before the model sees it."""

from __future__ import annotations

import hashlib
import re

_TAG = 'untrusted-data'
_LOOKALIKE = re.compile(r'<(\s*/?\s*untrusted[\s_-]*data)', re.IGNORECASE)


def _attr(value: str) -> str:
    return value.replace('&', '&amp;').replace('"', '&quot;').replace('<', '&lt;').replace('>', '&gt;')


def wrap_untrusted(text: str, source: str, *, block_id: str | None = None) -> str:
    """`text` inside `<untrusted-data source="..." id="...">...</untrusted-data>`.

    Anything inside that looks like an opening or closing tag of the wrapper (any case, spacing, `-`/`_`) has its
    `<` escaped as `&lt;`, so the content cannot end the block early or open a fake one. the id defaults to a digest
    of source and text, so the same input always gives the same output (replays stay byte-identical).

    Args:
        text: the untrusted content.
        source: where it comes from, e.g. `tool:shell` or `memory:notes`.
        block_id: an explicit block id (e.g. the tool call id).
    """
    block_id = block_id if block_id is not None else hashlib.sha256(f'{source}\x00{text}'.encode()).hexdigest()[:12]
    body = _LOOKALIKE.sub(r'&lt;\1', text)
    return f'<{_TAG} source="{_attr(source)}" id="{_attr(block_id)}">\n{body}\n</{_TAG}>'
