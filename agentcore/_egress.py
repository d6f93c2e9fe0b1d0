"""Egress checks: outbound arguments of network and external tools against the secrets the run has seen.

What counts as seen, per run: values the redactor recognises (e-mail addresses excepted) in the task and in tool
output; `KEY=VALUE` values of `.env`-like files a call read (`.env`, `*.env`, `.npmrc`, `.pypirc`, `.netrc`,
`credentials`, `id_rsa`, `*.pem`...); and the values of environment variables named in `AGENTCORE_CANARIES`
(comma-separated names) or named like a secret (`*_KEY`, `*_TOKEN`, `*_SECRET`, `*PASSWORD*`). Only values of at
least `MIN_SECRET_CHARS` characters count, at most `MAX_SECRETS` per run.

Secrets are never kept as text: each is a salted BLAKE2b digest (the salt is per run) with its length and a 16-bit
tag of its first 8 bytes that pre-filters the scan; the checkpointed state holds the same (`AgentState.egress`), so a
resumed run still knows them.

A call of a tool with `external` side effects, an MCP tool or `http_fetch` is scanned before it runs: every string
in its arguments (URL query strings, headers, bodies, JSON inside them) raw, URL-decoded, base64-decoded (standard
and URL-safe alphabets, with or without padding, at each of the 4 alignments of a run, so base64 of a longer text
holding the secret is found) and hex-decoded (either case, both alignments), and one more level of decoding of each
of those. A hit denies the call, naming the argument, the kind of secret and the encoding, never the value. At most
`MAX_SCAN_BYTES` of decoded text are scanned per call; what lies past that is not checked.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import re
import secrets
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_to_bytes, urlsplit

if TYPE_CHECKING:
    from ._runtime import RunContext
    from ._state import AgentState, PendingCall
    from .policy import PolicyDecision

#: The environment variable naming (comma-separated) further environment variables whose values are canaries.
CANARIES_ENV = 'AGENTCORE_CANARIES'
MIN_SECRET_CHARS = 8
MAX_SECRETS = 512
MAX_SCAN_BYTES = 1_000_000
_MAX_ENV_VALUES = 256
_MAX_RUNS = 1024
_TAG_BYTES = 8

_ENV_NAME_RE = re.compile(r'(?i)(?:_KEY|_TOKEN|_SECRET|PASSWORD|PASSWD)$|(?:^|_)(?:API_?KEY|SECRET|TOKEN|PASSWORD)(?:_|$)')
_ENV_FILE_RE = re.compile(
    r'(?i)(?:^|[/\\\s\'"=])(?:\.env(?:\.[\w.-]+)?|[\w.-]+\.env|\.npmrc|\.pypirc|\.netrc|\.git-credentials|'
    r'credentials(?:\.json)?|id_(?:rsa|dsa|ecdsa|ed25519)|[\w.-]+\.(?:pem|key))(?:$|[\s\'";|&)])'
)
_LINE_RE = re.compile(r'^\s*(?:export\s+)?([A-Za-z_][\w.\-/:]*)\s*[=:]\s*(.+?)\s*$', re.M)
_B64_RUN = re.compile(rb'[A-Za-z0-9+/_-]{12,}={0,2}')
_HEX_RUN = re.compile(rb'[0-9A-Fa-f]{16,}')
_B64_FIX = bytes.maketrans(b'-_', b'+/')

#: Per run (by run id): what it has seen. Bounded; a run evicted from here is restored from its state.
_RECORDS: OrderedDict[str, EgressRecord] = OrderedDict()


@dataclass
class _Secret:
    kind: str
    source: str
    length: int


@dataclass
class EgressRecord:
    """The secrets one run has seen, as salted digests (see the module docstring)."""

    salt: bytes = field(default_factory=lambda: secrets.token_bytes(16))
    secrets: dict[bytes, _Secret] = field(default_factory=dict)
    #: length -> tags of the secrets of that length
    tags: dict[int, set[int]] = field(default_factory=dict)
    #: how many messages of the run's state have been scanned
    scanned: int = 0
    #: calls whose raw output `note_output` scanned: their tool messages are not scanned again
    seen_calls: set[str] = field(default_factory=set)

    def _digest(self, value: bytes) -> bytes:
        return hashlib.blake2b(value, key=self.salt, digest_size=16).digest()

    def _tag(self, value: bytes) -> int:
        return int.from_bytes(hashlib.blake2b(value[:_TAG_BYTES], key=self.salt, digest_size=2).digest(), 'big')

    def add(self, value: str, kind: str, source: str) -> None:
        """Remember `value` (stripped; ignored when shorter than `MIN_SECRET_CHARS` or past `MAX_SECRETS`)."""
        raw = value.strip().encode('utf-8', errors='replace')
        if len(raw) < MIN_SECRET_CHARS or len(self.secrets) >= MAX_SECRETS:
            return
        digest = self._digest(raw)
        if digest not in self.secrets:
            self.secrets[digest] = _Secret(kind, source, len(raw))
            self.tags.setdefault(len(raw), set()).add(self._tag(raw))

    def find(self, data: bytes) -> _Secret | None:
        """The first seen secret that occurs in `data`, or `None`."""
        if not self.secrets or len(data) < MIN_SECRET_CHARS:
            return None
        all_tags = set().union(*self.tags.values())
        lengths = sorted(self.tags)
        for i in range(len(data) - MIN_SECRET_CHARS + 1):
            tag = self._tag(data[i:i + _TAG_BYTES])
            if tag not in all_tags:
                continue
            for length in lengths:
                if i + length <= len(data) and tag in self.tags[length]:
                    hit = self.secrets.get(self._digest(data[i:i + length]))
                    if hit is not None:
                        return hit
        return None

    def to_state(self) -> dict[str, Any]:
        """JSON-shaped form for the checkpoint: digests, lengths, tags, kinds and sources; never a value."""
        rows = []
        for digest, s in self.secrets.items():
            rows.append([digest.hex(), s.length, s.kind, s.source])
        tags = {str(k): sorted(v) for k, v in self.tags.items()}
        return {'salt': self.salt.hex(), 'secrets': rows, 'tags': tags}

    @classmethod
    def from_state(cls, data: dict[str, Any]) -> EgressRecord:
        """The record `to_state` wrote (a malformed one gives an empty record with a fresh salt)."""
        try:
            rec = cls(salt=bytes.fromhex(data['salt']))
            for digest, length, kind, source in data['secrets']:
                rec.secrets[bytes.fromhex(digest)] = _Secret(str(kind), str(source), int(length))
            rec.tags = {int(k): {int(t) for t in v} for k, v in data['tags'].items()}
        except (KeyError, TypeError, ValueError):
            return cls()
        return rec


def _redactor(rt: RunContext) -> Any:
    if rt.redactor is not None:
        return rt.redactor
    from .guardrails import Redactor

    global _DEFAULT_REDACTOR
    if _DEFAULT_REDACTOR is None:
        _DEFAULT_REDACTOR = Redactor()
    return _DEFAULT_REDACTOR


_DEFAULT_REDACTOR: Any = None


def _see(rec: EgressRecord, rt: RunContext, text: str, source: str, *, env_file: bool = False) -> None:
    for finding in _redactor(rt).scan(text):
        if finding.kind != 'email' and finding.span is not None:
            rec.add(text[finding.span[0]:finding.span[1]], finding.kind, source)
    if env_file:
        from .guardrails._secret_rules import SECRET_KEY_RE, generic_value_ok

        for m in _LINE_RE.finditer(text[:MAX_SCAN_BYTES]):
            key, value = m.group(1), m.group(2).strip().strip('\'"')
            if SECRET_KEY_RE.search(key) or generic_value_ok(value):
                rec.add(value, f'value of {key} in a credentials file', source)


def _env_canaries(rec: EgressRecord) -> None:
    named = {n.strip() for n in os.environ.get(CANARIES_ENV, '').split(',') if n.strip()}
    count = 0
    for name, value in os.environ.items():
        if count >= _MAX_ENV_VALUES:
            break
        if name in named or _ENV_NAME_RE.search(name):
            rec.add(value, f'environment variable {name}', 'environment')
            count += 1


def _record(rt: RunContext, state: AgentState) -> EgressRecord:
    run_id = state['run_id']
    rec = _RECORDS.get(run_id)
    if rec is None:
        saved = state.get('egress')
        rec = EgressRecord.from_state(saved) if saved else EgressRecord()
        _env_canaries(rec)
        _see(rec, rt, state.get('task', ''), 'task')
        _RECORDS[run_id] = rec
        while len(_RECORDS) > _MAX_RUNS:
            _RECORDS.popitem(last=False)
    _RECORDS.move_to_end(run_id)
    messages = state.get('messages', [])
    for msg in messages[rec.scanned:]:
        content = msg.get('content')
        if msg.get('role') == 'tool' and msg.get('tool_call_id') in rec.seen_calls:
            continue  # its raw output was scanned when the call returned
        if msg.get('role') in ('user', 'tool') and isinstance(content, str):
            _see(rec, rt, content, f'tool:{msg.get("name")}' if msg.get('role') == 'tool' else 'message')
    rec.scanned = len(messages)
    return rec


def note_output(rt: RunContext, state: AgentState, call: PendingCall, output: str) -> None:
    """Record the secrets in a tool call's output (before guardrails cut or redact it).

    The run's record is the one `policy_check` uses (rebuilt from the checkpoint when this process has none, as
    after a resume straight into `run_tools`).
    """
    rec = _record(rt, state)
    env_file = any(isinstance(v, str) and _ENV_FILE_RE.search(v) for v in _strings(call['arguments']))
    _see(rec, rt, output, f'tool:{call["name"]}', env_file=env_file)
    rec.seen_calls.add(call['id'])


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*_strings(k), *_strings(v))]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _strings(v)]
    return [] if value is None else [str(value)]


def _decodings(data: bytes) -> list[tuple[str, bytes]]:
    """`data` decoded in each way an encoded secret could hide in it (one level)."""
    out: list[tuple[str, bytes]] = []
    if b'%' in data or b'+' in data:
        out.append(('URL-encoded', unquote_to_bytes(data.replace(b'+', b' '))))
    for m in _B64_RUN.finditer(data):
        run = m.group().rstrip(b'=').translate(_B64_FIX)
        for offset in range(4):
            chunk = run[offset:]
            chunk = chunk[: len(chunk) - len(chunk) % 4 if len(chunk) % 4 == 1 else len(chunk)]
            try:
                out.append(('base64-encoded', base64.b64decode(chunk + b'=' * (-len(chunk) % 4))))
            except (binascii.Error, ValueError):
                continue
    for m in _HEX_RUN.finditer(data):
        run = m.group()
        for offset in range(2):
            chunk = run[offset:]
            out.append(('hex-encoded', bytes.fromhex(chunk[: len(chunk) // 2 * 2].decode())))
    text = data.strip()
    if text[:1] in (b'{', b'['):
        try:
            parsed = json.loads(text)
        except ValueError:
            pass
        else:
            out.extend(('JSON-escaped', s.encode('utf-8', errors='replace')) for s in _strings(parsed))
    return out


def _scan(rec: EgressRecord, value: str) -> tuple[_Secret, str] | None:
    budget = MAX_SCAN_BYTES
    queue: list[tuple[str, bytes, int]] = [('raw', value.encode('utf-8', errors='replace'), 0)]
    while queue and budget > 0:
        how, data, depth = queue.pop(0)
        data = data[:budget]
        budget -= len(data)
        hit = rec.find(data)
        if hit is not None:
            return hit, how
        if depth < 2:
            queue.extend((h if how == 'raw' else f'{h} ({how})', d, depth + 1) for h, d in _decodings(data))
    return None


def _where(name: str, value: str) -> list[tuple[str, str]]:
    """The parts of one string argument to scan, labelled: a URL's query string apart from the rest."""
    try:
        parts = urlsplit(value)
    except ValueError:
        return [(name, value)]
    if parts.scheme and parts.netloc and parts.query:
        return [(f'{name} (query string)', parts.query), (name, value)]
    return [(name, value)]


def _is_outbound(call: PendingCall) -> bool:
    return (call['side_effects'] == 'external' or call['source'] == 'mcp' or call['name'].startswith('mcp__')
            or call['name'] == 'http_fetch')


class EgressGuard:
    """The egress check of one `policy_check` step: `check` each call, then put `update()` in the state."""

    def __init__(self, rt: RunContext, state: AgentState) -> None:
        self.record = _record(rt, state)

    def check(self, call: PendingCall, decision: PolicyDecision) -> PolicyDecision:
        """`decision`, or a deny when the call would send a seen secret out (see the module docstring)."""
        if decision.action == 'deny' or not _is_outbound(call) or not self.record.secrets:
            return decision
        for key, value in call['arguments'].items():
            for label, text in (p for s in _strings(value) for p in _where(repr(key), s)):
                found = _scan(self.record, text)
                if found is None:
                    continue
                secret, how = found
                from .policy import PolicyDecision

                enc = '' if how == 'raw' else f', {how}'
                return PolicyDecision(
                    action='deny', rule='egress',
                    reason=f'egress check: argument {label} carries a secret the run has seen ({secret.kind}, '
                    f'from {secret.source}{enc}); {call["name"]} would send it out',
                )
        return decision

    def update(self) -> dict[str, Any]:
        """The state update that checkpoints the record (`AgentState.egress`)."""
        return {'egress': self.record.to_state()}
