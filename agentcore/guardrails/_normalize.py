r"""`scan_view`: the text an injection scan reads (NFKC, invisibles removed, homoglyphs folded, hidden parts exposed).

Escaped line breaks (`\\n` written as two characters, as in `repr` or JSON output) read as line breaks, and an
underscore that glues a capitalised word to the previous one as a space.

The view is only ever scanned: what the model sees is unchanged unless a guardrail quarantines it. Limits: at most
`MAX_DECODED` hidden parts and as many encoded runs (one level deep, not recursively) per text, each of at most
`MAX_RUN` characters, appended after the main text as segments of their own (a span found there maps back to the
whole hidden element or encoded run); hex is only decoded when written without separators. Plain ASCII text without
comments or long encoded runs costs one regex search.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field

MAX_DECODED = 8  # hidden parts, and encoded runs, decoded per text (each)
MAX_RUN = 16_384
_MIN_B64 = 40
_MIN_HEX = 40

#: Zero-width, bidi-control, soft-hyphen, variation-selector and tag characters: removed before scanning.
INVISIBLE = re.compile(
    '[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f'
    '\u3164\ufe00-\ufe0f\ufeff\uffa0\U000e0000-\U000e007f\U000e0100-\U000e01ef]'
)
# Cyrillic and Greek letters that look like Latin ones (lower and upper case).
_CYR = 'аАвВсСеЕһНіІјЈкКмМоОрРѕЅтТхХуУԁԛԜԝһ'
_CYR_LAT = 'aABBcCeEhHiIjJkKMMoOpPsSTTxXyYdqWwh'
_GRK = 'αΑβΒεΕηΗιΙκΚμΜνΝοΟρΡτΤυΥχΧζΖ'
_GRK_LAT = 'aABBeEnHiIkKuMvNoOpPtTuYxXzZ'
_TO_LATIN = str.maketrans(_CYR + _GRK, _CYR_LAT + _GRK_LAT)
_LATIN = 'aAcCeEiIjJoOpPsSxXyYBHKMT'
_LAT_CYR = 'аАсСеЕіІјЈоОрРѕЅхХуУВНКМТ'
_TO_CYRILLIC = str.maketrans(_LATIN, _LAT_CYR)
_MIXED_PAIR = re.compile('[a-zA-Z][\u0370-\u052f]|[\u0370-\u052f][a-zA-Z]')
_ACCENTED = re.compile('[\u00c0-\u024f]+')
_GREEK_CYRILLIC = re.compile('[\u0370-\u052f]')
# Characters NFKC changes that spell Latin letters, digits or ASCII punctuation in disguise: full-width forms,
# ideographic space, ligatures, super/subscripts, circled and mathematical alphanumerics. (Other NFKC changes do not
# matter to the rules, and normalising only these keeps CJK text fast.)
_COMPAT = re.compile(
    '[\u00a0\u00b2\u00b3\u00b9\u00bc-\u00be\u2000-\u200a\u2024-\u2026\u2070-\u209f\u2100-\u2184'
    '\u2460-\u24ff\u3000\ufb00-\ufb06\uff01-\uff5e\U0001d400-\U0001d7ff\U0001f100-\U0001f1ff]+'
)
# Latin letters with diacritics, folded to their base letter so that French, German and Spanish rules are ASCII.
_ACCENT_FOLD = {
    ord(c): base[0]
    for c in map(chr, range(0xC0, 0x250))
    if (base := unicodedata.normalize('NFKD', c)) and base[0].isascii() and base[0].isalpha() and base[0] != c
}
_ACCENT_FOLD.update({ord('ß'): 's', ord('ø'): 'o', ord('Ø'): 'O', ord('œ'): 'o', ord('æ'): 'a', ord('ł'): 'l'})

# Hidden parts: HTML comments, elements hidden by attribute or style, Markdown link-reference comments.
_COMMENT = re.compile(r'<!--(.*?)(?:-->|\Z)', re.DOTALL)
_HIDDEN_ELEMENT = re.compile(
    r'<([a-z][a-z0-9]*)\b[^>]*?(?:\bhidden\b|aria-hidden=["\']?true|display\s*:\s*none|visibility\s*:\s*hidden'
    r'|font-size\s*:\s*0(?![.\d]*[1-9])|opacity\s*:\s*0(?![.\d]*[1-9])|color\s*:\s*(?:transparent|#fff\b|#ffffff\b|white\b))'
    r'[^>]*>(.*?)</\1\s*>',
    re.IGNORECASE | re.DOTALL,
)
_MD_HINTS = (']: #', ']:#', ']: <>', ']:<>')
_HIDING = ('hidden', 'display', 'font-size', 'opacity', 'color')
_MD_COMMENT = re.compile(r'^[ \t]*\[(?://|comment|_|#)?[^\]\n]{0,20}\]:\s*(?:#|<>)\s*[("\'](.*)[)"\']\s*$', re.MULTILINE)
# Long base64 (standard or URL-safe) runs; a run of hex digits only is decoded as hex (spaced hex is not decoded).
_B64 = re.compile(rf'(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{{{_MIN_B64},}}={{0,2}}')
_HEX_RUN = re.compile(rf'(?:[0-9A-Fa-f]{{2}}){{{_MIN_HEX // 2},}}')
# Escaped line breaks and tabs as `repr` and JSON write them (`\n` as two characters): "...\nIgnore" must read as
# a line starting "Ignore". Replaced by same-length white space, so offsets do not move.
_ESCAPED_BREAK = re.compile(r'\\[nrt]')
# An underscore gluing a capitalised word to the one before (`External_Ignore your...`, a name built from text) reads
# as a space; snake_case identifiers (`ignore_previous`) stay one word.
_GLUED = re.compile(r'(?<=[A-Za-z0-9])_(?=[A-Z][a-z])')
_PRINTABLE_SHARE = 0.9


@dataclass
class ScanView:
    """The text to scan and how its offsets map back to the original.

    Attributes:
        text: the main (normalised) text, then each extra segment after a blank line.
        changed: characters were removed, replaced or folded in the main text.
        extras: `(start, end, kind, origin)` for each appended segment: its span in `text`, what it is
            (`html_comment`, `hidden_element`, `markdown_comment`, `base64`, `hex`) and the span it came from in
            the original.
    """

    text: str
    changed: bool = False
    extras: list[tuple[int, int, str, tuple[int, int]]] = field(default_factory=list)
    _map: list[int] | None = None
    main_len: int = 0

    def origin(self, start: int, end: int) -> tuple[int, int]:
        """The span in the original text that the view's span `[start, end)` came from."""
        for seg_start, seg_end, _, span in self.extras:
            if seg_start <= start < seg_end:
                return span
        if self._map is None:
            return start, end
        last = len(self._map) - 1
        return self._map[min(start, last)], self._map[min(max(end - 1, start), last)] + 1

    def segment(self, pos: int) -> str | None:
        """The kind of the extra segment holding `pos`, or `None` in the main text."""
        for seg_start, seg_end, kind, _ in self.extras:
            if seg_start <= pos < seg_end:
                return kind
        return None


def _fold_mixed(text: str) -> str:
    """`text` with each word that mixes Latin and Cyrillic/Greek letters folded to its majority script."""
    out: list[str] = []
    pos = 0
    for m in _MIXED_PAIR.finditer(text):
        start, end = m.start(), m.end()
        if start < pos:
            continue
        while start > pos and text[start - 1].isalpha():
            start -= 1
        while end < len(text) and text[end].isalpha():
            end += 1
        word = text[start:end]
        latin = sum(c.isascii() for c in word)
        out += [text[pos:start], word.translate(_TO_LATIN if latin * 2 >= len(word) else _TO_CYRILLIC)]
        pos = end
    out.append(text[pos:])
    return ''.join(out)


def _skip_map(length: int, removed: list[tuple[int, int]]) -> list[int]:
    """For each character left after removing the `removed` spans, its offset in the original."""
    mapping: list[int] = []
    pos = 0
    for start, end in removed:
        mapping.extend(range(pos, start))
        pos = end
    mapping.extend(range(pos, length))
    return mapping


def _normalise_chars(text: str) -> tuple[str, list[int] | None]:
    """NFKC, invisibles removed, diacritics and mixed-script look-alikes folded; with an offset map if lengths moved."""
    removed = [m.span() for m in INVISIBLE.finditer(text)]
    stripped = INVISIBLE.sub('', text) if removed else text
    mapping = _skip_map(len(text), removed) if removed else None
    if _COMPAT.search(stripped):
        nfkc = _COMPAT.sub(lambda m: unicodedata.normalize('NFKC', m.group()), stripped)
        if len(nfkc) != len(stripped):  # character by character, to keep where each scanned character came from
            chars: list[str] = []
            mapping = []
            for i, c in enumerate(text):
                if c.isascii():
                    chars.append(c)
                    mapping.append(i)
                elif not INVISIBLE.match(c):
                    n = unicodedata.normalize('NFKC', c) if _COMPAT.match(c) else c
                    chars.append(n)
                    mapping.extend([i] * len(n))
            nfkc = ''.join(chars)
        stripped = nfkc
    if _GREEK_CYRILLIC.search(stripped) and _MIXED_PAIR.search(stripped):
        stripped = _fold_mixed(stripped)
    if _ACCENTED.search(stripped):
        stripped = _ACCENTED.sub(lambda m: m.group().translate(_ACCENT_FOLD), stripped)
    return stripped, mapping


def _decoded(run: str, kind: str) -> str | None:
    """The text an encoded run decodes to, or `None` when it is not mostly printable UTF-8."""
    try:
        if kind == 'hex':
            raw = bytes.fromhex(run)
        else:
            bare = run.rstrip('=')
            padded = bare + '=' * (-len(bare) % 4)
            raw = base64.b64decode(padded.replace('-', '+').replace('_', '/'), validate=True)
    except (binascii.Error, ValueError):
        return None
    try:
        out = raw.decode('utf-8')
    except UnicodeDecodeError:
        return None
    printable = sum(c.isprintable() or c in '\n\t\r' for c in out)
    return out if out and printable >= _PRINTABLE_SHARE * len(out) and ' ' in out else None


def _hidden_parts(text: str) -> Iterator[tuple[str, str, tuple[int, int]]]:
    """`(body, kind, span)` of each HTML comment, hidden element and Markdown comment with some text in it."""
    found: list[tuple[re.Pattern[str], int, str]] = []
    if '<!--' in text:
        found.append((_COMMENT, 1, 'html_comment'))
    if '<' in text and any(h in text for h in _HIDING):
        found.append((_HIDDEN_ELEMENT, 2, 'hidden_element'))
    if ']:' in text and any(h in text for h in _MD_HINTS):
        found.append((_MD_COMMENT, 1, 'markdown_comment'))
    for pattern, group, kind in found:
        for m in pattern.finditer(text):
            if m.group(group).strip():
                yield m.group(group)[:MAX_RUN], kind, m.span()


def _encoded_parts(text: str) -> Iterator[tuple[str, str, tuple[int, int]]]:
    """`(decoded, kind, span)` of each long base64 or hex run that decodes to text (one level, not recursively)."""
    for m in _B64.finditer(text):
        run = m.group()
        if len(run) > MAX_RUN or run.isalpha() or run.isdigit():
            continue
        kind = 'hex' if _HEX_RUN.fullmatch(run) else 'base64'
        decoded = _decoded(run, kind)
        if decoded is not None:
            yield decoded, kind, m.span()


def _unescape_breaks(text: str) -> str:
    r"""`text` with each escaped line break (`\\n`, `\\r`) as a space and a newline, each `\\t` as two spaces."""
    return _ESCAPED_BREAK.sub(lambda m: '  ' if m.group() == '\\t' else ' \n', text)


def scan_view(text: str) -> ScanView:
    """The view of `text` an injection scan reads. Never raises."""
    main, mapping = (text, None) if text.isascii() else _normalise_chars(text)
    if '\\' in main:
        main = _unescape_breaks(main)
    if '_' in main:
        main = _GLUED.sub(' ', main)
    view = ScanView(main, changed=main != text, _map=mapping, main_len=len(main))
    parts = [main]
    pos = len(main)
    extra = itertools.chain(
        itertools.islice(_hidden_parts(text), MAX_DECODED), itertools.islice(_encoded_parts(text), MAX_DECODED)
    )
    for segment, kind, span in extra:
        seg = segment if segment.isascii() else _normalise_chars(segment)[0]
        parts.append('\n\n' + seg)
        view.extras.append((pos + 2, pos + 2 + len(seg), kind, span))
        pos += 2 + len(seg)
    view.text = ''.join(parts)
    return view
