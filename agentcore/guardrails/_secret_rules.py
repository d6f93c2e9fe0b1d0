"""Secret and PII patterns of `Redactor`. Specific token formats come first: they win over generic ones."""

from __future__ import annotations

import re

from ._scan import Rule

#: Case-sensitive token formats, run on the original text.
TOKEN_RULES: tuple[Rule, ...] = (
    Rule('anthropic_key', ('sk-ant-',), r'[A-Za-z0-9_-]{20,}', 'Anthropic API key'),
    Rule(
        'openai_key',
        ('sk-',),
        r'(?!ant-)(?=[A-Za-z0-9_-]*\d)(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}',
        'OpenAI API key',
    ),
    Rule('aws_access_key', ('AKIA', 'ASIA'), r'[0-9A-Z]{16}(?![0-9A-Za-z])', 'AWS access key id'),
    Rule('github_token', ('ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_'), r'[A-Za-z0-9]{36,}', 'GitHub token'),
    Rule('github_token', ('github_pat_',), r'[A-Za-z0-9_]{22,}', 'GitHub fine-grained token'),
    Rule(
        'slack_token',
        ('xoxa-', 'xoxb-', 'xoxe-', 'xoxp-', 'xoxr-', 'xoxs-', 'xapp-'),
        r'[A-Za-z0-9-]{10,}',
        'Slack token',
    ),
    Rule('google_api_key', ('AIza',), r'[0-9A-Za-z_-]{35}', 'Google API key'),
    Rule('stripe_key', ('sk_live_', 'rk_live_', 'sk_test_', 'rk_test_'), r'[0-9A-Za-z]{16,}', 'Stripe key'),
    Rule('jwt', ('eyJ',), r'[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*', 'JSON web token'),
    Rule(
        'private_key',
        ('-----BEGIN ',),
        r'(?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----(?:[\s\S]{0,16384}?-----END (?:[A-Z0-9]+ )*PRIVATE KEY'
        r'(?: BLOCK)?-----|[A-Za-z0-9+/=\s:,-]{0,16384})',
        'PEM private key',
        word_start=False,
    ),
)

_VALUE = r"""["']?\s*[:=]\s*["']?([^\s"'`,;()\[\]{}<>$]{8,})"""

#: Case-insensitive rules, run on the lower-cased text; `group` 1 is the secret value.
KEYWORD_RULES: tuple[Rule, ...] = (
    Rule('bearer_token', ('bearer',), r'\s+(?=[a-z0-9._~+/=-]*\d)([a-z0-9._~+/=-]{16,})', 'bearer token', group=1),
    Rule(
        'generic_secret',
        ('authorization', 'proxy-authorization'),
        r"""["']?\s*[:=]\s*["']?(?:basic|bearer|token|digest)\s+([a-z0-9._~+/=-]{8,})""",
        'authorization header value',
        group=1,
    ),
    Rule(
        'generic_secret',
        (
            'api_key',
            'api-key',
            'apikey',
            'secret',
            'token',
            'password',
            'passwd',
            'pwd',
            'access_key',
            'private_key',
            'credential',
        ),
        r'[a-z0-9_.-]{0,30}?' + _VALUE,
        'value of a secret-looking setting',
        group=1,
        word_start=False,
    ),
    Rule(
        'email',
        ('@',),
        r'[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.[a-z]{2,24}(?![a-z0-9-])',
        'e-mail address',
        word_start=False,
    ),
)

#: Card-number candidates; starts with a character class so `re` can skip ahead fast. The character before a match
#: must be checked separately (see `card_boundary_ok`).
CARD_RE = re.compile(r'[2-6]\d(?:[ -]?\d){11,17}(?![\d]|[.,]\d)')
EMAIL_LOCAL_RE = re.compile(r'[A-Za-z0-9._%+-]*[A-Za-z0-9][A-Za-z0-9._%+-]*\Z')
_DOTTED_NAME = re.compile(r'[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+')
SECRET_KEY_RE = re.compile(
    r'(?i)(?:^|[_.-])(?:api[_-]?key|apikey|secret|token|password|passwd|pwd|access[_-]?key|private[_-]?key|'
    r'credentials?|authorization|cookie|session[_-]?id)(?:$|[_.-])|^(?:secret|password|token)s?$'
)


def card_boundary_ok(text: str, start: int, end: int | None = None) -> bool:
    """Whether a card candidate at `start` (ending at `end`) stands alone, not inside a longer token.

    Not the tail of a longer number, decimal or dashed id, and not digits inside a hex digest or an identifier.
    """
    if start and (text[start - 1] in '.,-' or text[start - 1].isalnum()):
        return False
    return end is None or end >= len(text) or not text[end].isalnum()


def luhn_ok(digits: str) -> bool:
    """Whether a digit string passes the Luhn checksum."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def card_issuer_ok(digits: str) -> bool:
    """Whether the number starts like a real card (Visa, Mastercard, Amex, Discover, JCB, Diners, UnionPay)."""
    n2, n4 = int(digits[:2]), int(digits[:4])
    return (
        digits[0] == '4'
        or 51 <= n2 <= 55
        or 2221 <= n4 <= 2720
        or n2 in (34, 37, 36, 38, 35, 62, 65)
        or n4 == 6011
        or 644 <= int(digits[:3]) <= 649
        or 300 <= int(digits[:3]) <= 305
    )


def generic_value_ok(value: str) -> bool:
    """Whether a `key = value` value looks like a real secret (not a word, a number or a placeholder)."""
    if not any(c.isalpha() for c in value) or value.lower() in ('none', 'null', 'true', 'false', 'undefined'):
        return False
    if set(value) <= set('*xX.-_') or _DOTTED_NAME.fullmatch(value):
        return False
    return any(c.isdigit() for c in value) or len(value) >= 16
