"""`Redactor`: replaces secrets and PII with `[REDACTED:kind]` in text and in JSON-like payloads."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from ._base import ALL_STAGES, Finding, GuardrailResult, Stage
from ._scan import Hit, Rule, Scanner, drop_overlaps
from ._secret_rules import (
    CARD_RE,
    EMAIL_LOCAL_RE,
    KEYWORD_RULES,
    SECRET_KEY_RE,
    TOKEN_RULES,
    card_boundary_ok,
    card_issuer_ok,
    generic_value_ok,
    luhn_ok,
)

_CARD_RULE = Rule('card_number', (), detail='payment card number')
#: Every kind a `Redactor` knows.
SECRET_KINDS: tuple[str, ...] = tuple(dict.fromkeys(r.kind for r in (*TOKEN_RULES, *KEYWORD_RULES, _CARD_RULE)))
_PRIORITY = {kind: i for i, kind in enumerate(SECRET_KINDS)}


#: No secret or e-mail address the rules know is shorter than this.
_MIN_SECRET_CHARS = 6
#: Strings up to this length have their result cached, in at most `_CACHE_ENTRIES` entries.
_CACHED_CHARS = 256
_CACHE_ENTRIES = 4096

class Redactor:
    """Replaces secrets and PII with `[REDACTED:kind]`.

    Finds API keys (OpenAI, Anthropic, AWS, GitHub, Slack, Google, Stripe), bearer/JWT tokens, `key=value` secrets,
    PEM private keys, e-mail addresses and Luhn-valid card numbers (of a known issuer).

    Pattern-based: a secret in an unknown format with an innocent name gets through. When two matches overlap the
    more specific kind wins (an `sk-...` value of `api_key=` is an `openai_key`).

    Args:
        kinds: the kinds to redact (see `SECRET_KINDS`); all by default.
        stages: stages it checks; others pass untouched.
    """

    def __init__(
        self,
        *,
        kinds: Collection[str] | None = None,
        stages: Collection[Stage] = ALL_STAGES,
        name: str = 'redactor',
    ) -> None:
        unknown = set(kinds or ()) - set(SECRET_KINDS)
        if unknown:
            raise ValueError(f'unknown secret kinds {sorted(unknown)}; known: {", ".join(SECRET_KINDS)}')
        self.kinds = frozenset(kinds) if kinds is not None else frozenset(SECRET_KINDS)
        self.stages = frozenset(stages)
        self._name = name
        self._tokens = Scanner(tuple(r for r in TOKEN_RULES if r.kind in self.kinds), case_sensitive=True)
        self._keywords = Scanner(tuple(r for r in KEYWORD_RULES if r.kind in self.kinds))
        self._cache: dict[str, tuple[str, list[Finding]]] = {}
        self._secret_keys: dict[str, bool] = {}

    @property
    def name(self) -> str:
        return self._name

    def _hits(self, text: str) -> list[Hit]:
        hits = list(self._tokens.scan(text))
        for hit in self._keywords.scan(text):
            if hit.rule.kind == 'generic_secret' and not generic_value_ok(text[hit.start : hit.end]):
                continue
            if hit.rule.kind == 'email':
                local = EMAIL_LOCAL_RE.search(text, max(0, hit.start - 64), hit.start)
                if local is None:
                    continue
                hit = Hit(hit.rule, local.start(), hit.end)
            hits.append(hit)
        if 'card_number' in self.kinds:
            for m in CARD_RE.finditer(text):
                if not card_boundary_ok(text, m.start(), m.end()):
                    continue
                digits = m.group().replace(' ', '').replace('-', '')
                if 13 <= len(digits) <= 19 and card_issuer_ok(digits) and luhn_ok(digits):
                    hits.append(Hit(_CARD_RULE, m.start(), m.end()))
        return drop_overlaps(hits, lambda h: _PRIORITY[h.rule.kind])

    def scan(self, text: str) -> list[Finding]:
        """What would be redacted, by position. Details give the kind and length, never the secret."""
        return [self._finding(h) for h in self._hits(text)]

    def _finding(self, hit: Hit) -> Finding:
        detail = f'{hit.rule.detail} ({hit.end - hit.start} characters)'
        return Finding(kind=hit.rule.kind, detail=detail, span=(hit.start, hit.end), guardrail=self._name)

    def redact(self, text: str) -> tuple[str, list[Finding]]:
        """`text` with every secret replaced by `[REDACTED:kind]`, and the findings (spans in the input)."""
        if len(text) < _MIN_SECRET_CHARS:
            return text, []
        if len(text) <= _CACHED_CHARS:
            # Events repeat the same short strings (ids, names, kinds) many times per run.
            cached = self._cache.get(text)
            if cached is None:
                cached = self._redact(text)
                if len(self._cache) >= _CACHE_ENTRIES:
                    self._cache.clear()
                self._cache[text] = cached
            return cached
        return self._redact(text)

    def _redact(self, text: str) -> tuple[str, list[Finding]]:
        hits = self._hits(text)
        if not hits:
            return text, []
        out: list[str] = []
        pos = 0
        for hit in hits:
            out.append(text[pos : hit.start])
            out.append(f'[REDACTED:{hit.rule.kind}]')
            pos = hit.end
        out.append(text[pos:])
        return ''.join(out), [self._finding(h) for h in hits]

    def redact_obj(self, value: Any) -> Any:
        """A copy of a JSON-like value with secrets redacted in every string.

        Strings under a secret-looking key (`password`, `api_key`, `authorization`...) are replaced whole by
        `[REDACTED:generic_secret]`. Tuples become lists; other values are returned as they are.
        """
        if isinstance(value, str):
            return self.redact(value)[0] if len(value) >= _MIN_SECRET_CHARS else value
        if isinstance(value, dict):
            out: dict[Any, Any] = {}
            for key, item in value.items():
                if isinstance(item, str) and item and self._is_secret_key(key):
                    out[key] = '[REDACTED:generic_secret]'
                elif isinstance(item, bool | int | float) or item is None:
                    out[key] = item
                else:
                    out[key] = self.redact_obj(item)
            return out
        if isinstance(value, list | tuple):
            return [self.redact_obj(item) for item in value]
        return value

    def _is_secret_key(self, key: Any) -> bool:
        """Whether strings under dict key `key` are secrets whole (`password`, `api_key`...). Cached per key."""
        if not isinstance(key, str) or 'generic_secret' not in self.kinds:
            return False
        known = self._secret_keys.get(key)
        if known is None:
            known = SECRET_KEY_RE.search(key) is not None
            if len(self._secret_keys) < _CACHE_ENTRIES:
                self._secret_keys[key] = known
        return known

    async def check(self, text: str, *, stage: Stage) -> GuardrailResult:
        if stage not in self.stages:
            return GuardrailResult(action='allow', text=text)
        redacted, findings = self.redact(text)
        return GuardrailResult(action='modify' if findings else 'allow', text=redacted, findings=findings)
