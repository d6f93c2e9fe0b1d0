from __future__ import annotations

import pytest

from agentcore.guardrails import SECRET_KINDS, Guardrail, Redactor

# Fake secrets, assembled so that secret scanners do not flag this file.
OPENAI = 'sk-' + 'proj-' + 'Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z_-Q7'
OPENAI_LEGACY = 'sk-' + 'T3BlbkFJ' + 'a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6q7r8s9'
ANTHROPIC = 'sk-' + 'ant-api03-' + 'Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe-_abcdEFGH'
AWS = 'AKIA' + 'IOSFODNN7EXAMPLE'
GITHUB = 'ghp_' + 'aB1cD2eF3gH4iJ5kL6mN7oP8qR9sT0uV1wX2'
GITHUB_PAT = 'github_pat_' + '11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGH'
SLACK = 'xoxb-' + '123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx'
GOOGLE = 'AIza' + 'SyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q'
STRIPE = 'sk_live_' + '4eC39HqLyjWDarjtT1zdp7dc'
JWT = (
    'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9'
    '.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIn0'
    '.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c'
)
PEM = (
    '-----BEGIN '
    + 'RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM2k\nq+ZlyG9Jx0T8r==\n-----END RSA PRIVATE KEY-----'
)


@pytest.mark.parametrize(
    ('text', 'kind', 'secret'),
    [
        (f'OPENAI_API_KEY={OPENAI}', 'openai_key', OPENAI),
        (f'key: {OPENAI_LEGACY} end', 'openai_key', OPENAI_LEGACY),
        (f'using {ANTHROPIC} now', 'anthropic_key', ANTHROPIC),
        (f'aws id {AWS}.', 'aws_access_key', AWS),
        (f'remote https://{GITHUB}@github.com/o/r', 'github_token', GITHUB),
        (f'token {GITHUB_PAT}', 'github_token', GITHUB_PAT),
        (f'SLACK={SLACK}', 'slack_token', SLACK),
        (f'google {GOOGLE}', 'google_api_key', GOOGLE),
        (f'stripe {STRIPE}', 'stripe_key', STRIPE),
        (f'cookie: session={JWT}; Path=/', 'jwt', JWT),
        (f'Authorization: Bearer {JWT}', 'jwt', JWT),
        (
            'curl -H "Authorization: Bearer 4f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c"',
            'bearer_token',
            '4f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c',
        ),
        ('Authorization: Basic dXNlcjpwYXNzd29yZDEyMw==', 'generic_secret', 'dXNlcjpwYXNzd29yZDEyMw=='),
        ('api_key = "a8f5f167f44f4964e6c998dee827110c"', 'generic_secret', 'a8f5f167f44f4964e6c998dee827110c'),
        ('DB_PASSWORD: hunter2hunter2', 'generic_secret', 'hunter2hunter2'),
        (
            'aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
            'generic_secret',
            'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
        ),
        (f'key file:\n{PEM}\nafter', 'private_key', PEM),
        ('contact jane.doe+test@mail.example.co.uk today', 'email', 'jane.doe+test@mail.example.co.uk'),
        ('card 4111 1111 1111 1111 exp 12/29', 'card_number', '4111 1111 1111 1111'),
        ('amex 3782-822463-10005', 'card_number', '3782-822463-10005'),
        ('mc 5555555555554444,', 'card_number', '5555555555554444'),
    ],
)
def test_redacts_each_kind(text: str, kind: str, secret: str) -> None:
    redacted, findings = Redactor().redact(text)
    assert secret not in redacted
    assert f'[REDACTED:{kind}]' in redacted
    assert [f.kind for f in findings] == [kind]
    start, end = findings[0].span or (0, 0)
    assert text[start:end] == secret
    assert secret not in findings[0].detail


def test_truncated_pem_is_redacted_to_its_end() -> None:
    text = '-----BEGIN ' + 'OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAE\nAAAA'
    assert Redactor().redact(text)[0] == '[REDACTED:private_key]'


@pytest.mark.parametrize(
    'text',
    [
        'The quick brown fox jumps over the lazy dog.',
        'order 4111 1111 1111 1112 failed',  # fails Luhn
        'id 1234567890123456 and 9999999999999999 ts 1716200000000',
        'phone +1 415 555 0100, build 20240501123456',
        'max_tokens = 100000000',
        'password = os.environ.get',
        'token: ${{ secrets.GH_TOKEN }}',
        'api_key=<your-key-here>',
        'passwords: ********',
        'use the sk-learn package; see task-runner-configuration-manual',
        'from sklearn import svm; x = "sk-" + suffix',
        '@dataclass\nclass A: ...\n@pytest.mark.parametrize',
        'The bearer of this letter is welcome.',
        'numbers: 3.14159265358979323846, version 4.1.1.1111.1111',
        'AKIA is a prefix; AKIAshort',
    ],
)
def test_no_false_positives(text: str) -> None:
    redacted, findings = Redactor().redact(text)
    assert findings == []
    assert redacted == text


def test_mixed_text_keeps_everything_else() -> None:
    text = f'line one\nOPENAI={OPENAI}\nmail bob@example.com\nline four'
    redacted, findings = Redactor().redact(text)
    assert redacted == 'line one\nOPENAI=[REDACTED:openai_key]\nmail [REDACTED:email]\nline four'
    assert [f.kind for f in findings] == ['openai_key', 'email']


def test_kind_selection() -> None:
    r = Redactor(kinds=['openai_key'])
    assert r.redact(f'{OPENAI} bob@example.com')[0] == '[REDACTED:openai_key] bob@example.com'
    with pytest.raises(ValueError, match='unknown secret kinds'):
        Redactor(kinds=['nope'])
    assert set(SECRET_KINDS) >= {
        'openai_key',
        'anthropic_key',
        'aws_access_key',
        'github_token',
        'slack_token',
        'jwt',
        'bearer_token',
        'generic_secret',
        'private_key',
        'email',
        'card_number',
    }


def test_redact_obj() -> None:
    payload = {
        'arguments': {'password': 'correct-horse', 'url': f'https://x/?k={ANTHROPIC}', 'n': 3},
        'headers': [['Authorization', 'Bearer 4f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c']],
        'api_key': '',
        'ok': True,
    }
    out = Redactor().redact_obj(payload)
    assert out['arguments']['password'] == '[REDACTED:generic_secret]'
    assert out['arguments']['url'] == 'https://x/?k=[REDACTED:anthropic_key]'
    assert out['arguments']['n'] == 3
    assert out['headers'][0][1] == 'Bearer [REDACTED:bearer_token]'
    assert out['api_key'] == '' and out['ok'] is True
    assert payload['arguments']['password'] == 'correct-horse'  # input untouched


async def test_check_as_guardrail() -> None:
    r = Redactor()
    assert isinstance(r, Guardrail)
    result = await r.check(f'k={OPENAI}', stage='tool_output')
    assert result.action == 'modify' and result.text == 'k=[REDACTED:openai_key]'
    assert result.findings[0].guardrail == 'redactor'
    clean = await r.check('nothing here', stage='output')
    assert clean.action == 'allow' and clean.findings == []
    skipped = await Redactor(stages=['output']).check(f'k={OPENAI}', stage='input')
    assert skipped.action == 'allow' and OPENAI in skipped.text


def test_digits_inside_a_hex_digest_or_an_id_are_not_a_card_number() -> None:
    # A real args_hash once lost 13 of its digits this way: they pass the Luhn check by chance.
    digest = 'b70e2d96a148d89c614ef5325647547989b71e24f47591ef8d55a4aea9eb84a6'
    assert Redactor().redact(f'args_hash {digest}')[0] == f'args_hash {digest}'
    assert Redactor().redact('order id x5555555555554444y')[0] == 'order id x5555555555554444y'
    assert Redactor().redact('pay with 5555555555554444 now')[0] == 'pay with [REDACTED:card_number] now'
