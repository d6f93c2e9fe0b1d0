"""Tokenisation shared by the local keyword index and the hash embedder.

Mirrors Weaviate's `word` tokenisation (split on anything that is not a letter or digit, lower-case) and its
English stop-word preset, so both backends rank keyword matches alike.
"""

from __future__ import annotations

import re

__all__ = ['KEYWORD_FIELDS', 'STOPWORDS', 'keyword_tokens', 'tokenize']

_WORD_RE = re.compile(r'[^\W_]+')

#: Weaviate's `en` stop-word preset (adapters/repos/db/inverted/stopwords/presets.go).
STOPWORDS: frozenset[str] = frozenset({
    'a', 'an', 'and', 'are', 'as', 'at', 'be', 'but', 'by', 'for', 'if', 'in', 'into', 'is', 'it', 'no', 'not', 'of',
    'on', 'or', 'such', 'that', 'the', 'their', 'then', 'there', 'these', 'they', 'this', 'to', 'was', 'will', 'with',
})  # fmt: skip

#: Episode fields searched by keyword, with their boost (the task counts double).
KEYWORD_FIELDS: tuple[tuple[str, int], ...] = (('task', 2), ('plan_summary', 1), ('steps_digest', 1), ('lessons', 1))


def tokenize(text: str) -> list[str]:
    """Lower-cased runs of letters and digits, in order (stop words kept)."""
    return _WORD_RE.findall(text.lower())


def keyword_tokens(text: str) -> list[str]:
    """`tokenize` without stop words: the terms a keyword query matches on."""
    return [t for t in tokenize(text) if t not in STOPWORDS]
