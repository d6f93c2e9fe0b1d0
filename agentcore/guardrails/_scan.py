"""Fast keyword-anchored regex scanning.

Python's `re` only searches quickly when a pattern starts with a literal, so every rule here is a set of literal
keywords, each followed by a regex tail, and a keyword absent from the text skips its regex. Presence is checked with
`in` (about 40 us per keyword on 100 KB) or, for whole-word keywords of case-insensitive scanners, by a lookup in the
set of the text's ASCII words (built once per text, about 1 ms on 100 KB). Case-insensitive rules run on the
lower-cased text, whose offsets are those of the original: U+0130, the only character `str.lower` turns into two, is
mapped to `i` first.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    """A keyword-anchored pattern.

    Attributes:
        kind: finding kind reported when it matches.
        keywords: literal starts (lower case for case-insensitive scanners).
        tail: regex that must follow the keyword (written in lower case for case-insensitive scanners).
        detail: human description for findings.
        weight: how strongly a match suggests an attack (injection scoring).
        group: regex group (in `tail`) holding the part to report/redact; 0 for the whole match.
        word_start: the keyword must not follow a letter, digit or `_`.
        line_start: only spaces/tabs may precede the keyword on its line.
        prose_only: no match after a code-comment marker (`#`, `//`, `/*`, `*`, `--`, `;`) on the same line.
    """

    kind: str
    keywords: tuple[str, ...]
    tail: str = ''
    detail: str = ''
    weight: float = 1.0
    group: int = 0
    word_start: bool = True
    line_start: bool = False
    prose_only: bool = False


_WORD_BYTES = bytes(c if chr(c).isascii() and (chr(c).isalnum() or c == 95) else 32 for c in range(256))
_MIN_WORD_KEYS = 25
_MIN_ALTERNATION = 20
_RUNS = re.compile('[a-z0-9_]+')
_ENDS_WORD = ('\\s', '\\b', '[,\\s]')


def _words(text: str) -> set[bytes]:
    """The maximal runs of ASCII word characters in `text` (non-ASCII characters count as separators)."""
    return set(text.encode('utf-8', 'surrogatepass').translate(_WORD_BYTES).split())


def _word_keys(rule: Rule, keyword: str, case_sensitive: bool) -> tuple[bytes, ...] | None:
    """Words that must all be in the text's word set for `keyword` to match, or `None` to check with `in`.

    A necessary condition only (the regex still runs): the ASCII word runs of the keyword that are delimited on both
    sides whatever the text, i.e. inside the keyword, at its start when the rule is word-start, at its end when the
    tail begins by requiring a word end.
    """
    if case_sensitive or not keyword.isascii():
        return None
    keys = []
    for m in _RUNS.finditer(keyword):
        if m.start() == 0 and not rule.word_start:
            continue
        if m.end() == len(keyword) and not rule.tail.startswith(_ENDS_WORD):
            continue
        keys.append(m.group().encode())
    return tuple(keys) or None


@dataclass(frozen=True)
class Hit:
    """One match: the rule and the span of its reported group."""

    rule: Rule
    start: int
    end: int


def _is_word(c: str) -> bool:
    return c.isalnum() or c == '_'


class Scanner:
    """Runs many `Rule`s over a text. Immutable after construction, safe to share between threads/tasks."""

    def __init__(self, rules: tuple[Rule, ...], *, case_sensitive: bool = False) -> None:
        self.rules = rules
        self._case_sensitive = case_sensitive
        self._compiled: list[tuple[Rule, str, tuple[bytes, ...] | None, bool, re.Pattern[str]]] = []
        for rule in rules:
            for keyword in rule.keywords:
                pattern = re.compile(re.escape(keyword) + (f'(?:{rule.tail})' if rule.tail else ''))
                check_word = rule.word_start and _is_word(keyword[:1] or ' ')
                words = _word_keys(rule, keyword, case_sensitive)
                self._compiled.append((rule, keyword, words, check_word, pattern))
        # Building the word set costs about as much as 25 `in` checks: only worth it for many word keywords.
        self._uses_words = sum(c[2] is not None for c in self._compiled) >= _MIN_WORD_KEYS
        if not self._uses_words:
            self._compiled = [(r, k, None, c, p) for r, k, _, c, p in self._compiled]
        # Entries checked with `in`, and word-keyed entries indexed by their first word: a scan only visits the
        # word-keyed entries whose first word the text has (one set intersection instead of a loop over them all).
        self._plain = [i for i, c in enumerate(self._compiled) if c[2] is None]
        self._by_first_word: dict[bytes, list[int]] = {}
        for i, c in enumerate(self._compiled):
            if c[2] is not None:
                self._by_first_word.setdefault(c[2][0], []).append(i)
        self._first_words = frozenset(self._by_first_word)
        # Many keywords checked with `in` (CJK, Cyrillic): one alternation pass finds which are present instead. It
        # finds non-overlapping matches, so a keyword is also present when it lies inside one that was found; one
        # that only overlaps another match's end is missed (a limit of this prefilter).
        plain_keys = sorted({self._compiled[i][1] for i in self._plain}, key=len, reverse=True)
        self._any = (
            re.compile('|'.join(map(re.escape, plain_keys))) if len(plain_keys) >= _MIN_ALTERNATION else None
        )
        self._inside = {k: [o for o in plain_keys if k in o] for k in plain_keys}

    def scan(self, text: str) -> Iterator[Hit]:
        """All hits, rule by rule (not sorted). Overlaps between rules are possible."""
        haystack = text if self._case_sensitive else text.replace('\u0130', 'i').lower()
        words = _words(haystack) if self._uses_words else set()
        visit = self._plain
        if self._by_first_word:
            visit = sorted([*visit, *(i for w in words & self._first_words for i in self._by_first_word[w])])
        present: dict[str, bool] = {}
        if self._any is not None:
            matched = set(self._any.findall(haystack))
            present = {k: any(o in matched for o in self._inside[k]) for k in self._inside}
        for index in visit:
            rule, keyword, keys, check_word, pattern = self._compiled[index]
            found = present.get(keyword)
            if found is None:
                if keys is not None:
                    found = all(k in words for k in keys)
                else:
                    found = keyword in haystack
                present[keyword] = found
            if not found:
                continue
            for m in pattern.finditer(haystack):
                start = m.start()
                if check_word and start > 0 and _is_word(haystack[start - 1]):
                    continue
                if rule.line_start and not _at_line_start(haystack, start):
                    continue
                if rule.prose_only and _COMMENT.search(haystack, haystack.rfind('\n', 0, start) + 1, start):
                    continue
                yield Hit(rule, m.start(rule.group), m.end(rule.group))


_COMMENT = re.compile(r'(?:^|\s)(?:#|//|/\*|\*|--|;)')


def _at_line_start(text: str, pos: int) -> bool:
    i = pos - 1
    while i >= 0 and text[i] in ' \t':
        i -= 1
    return i < 0 or text[i] == '\n'


def drop_overlaps(hits: list[Hit], rank: Callable[[Hit], float]) -> list[Hit]:
    """`hits` sorted by position without overlaps; of two overlapping hits the one with the lower `rank` stays.

    A linear sweep: a hit only competes with the last one kept (enough for the short, sparse matches here).
    """
    kept: list[Hit] = []
    for hit in sorted(hits, key=lambda h: (h.start, rank(h))):
        if kept and hit.start < kept[-1].end:
            if rank(hit) < rank(kept[-1]) and (len(kept) < 2 or kept[-2].end <= hit.start):
                kept[-1] = hit
            continue
        kept.append(hit)
    return kept


def merge_spans(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted, non-overlapping union of `spans`."""
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out
