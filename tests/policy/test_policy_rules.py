from __future__ import annotations

import pytest

from agentcore._budget import Budget
from agentcore.policy import Policy, PolicyDecision, args_hash, is_mcp_tool


def _policy(*rules: dict[str, object], **top: object) -> Policy:
    return Policy.from_dict({'rules': list(rules), **top})


def test_allow_deny_ask_rules() -> None:
    p = _policy(
        {'tool': 'read_file', 'action': 'allow'},
        {'tool': 'shell', 'action': 'deny', 'reason': 'no shell here'},
        {'tool': 'write_file', 'action': 'ask'},
    )
    assert p.evaluate('read_file', {}).action == 'allow'
    denied = p.evaluate('shell', {'command': 'ls'})
    assert denied == PolicyDecision(
        action='deny', rule='rules[1] (shell: deny)', reason='rules[1] (shell: deny) denies shell: no shell here'
    )
    asked = p.evaluate('write_file', {'path': 'a'})
    assert (asked.action, asked.rule) == ('ask', 'rules[2] (write_file: ask)')


def test_glob_patterns_and_lists() -> None:
    p = _policy(
        {'tool': 'fs_*', 'action': 'allow'},
        {'tool': ['git_?ush', 'deploy_[ab]'], 'action': 'deny'},
        {'tool': 'deploy_[!ab]', 'action': 'ask'},
    )
    assert p.evaluate('fs_read', {}).action == 'allow'
    assert p.evaluate('fs', {}, side_effects='external').action == 'ask'  # no match: default
    assert p.evaluate('git_push', {}).action == 'deny'
    assert p.evaluate('deploy_a', {}).action == 'deny'
    assert p.evaluate('deploy_c', {}).action == 'ask'
    assert p.evaluate('deploy_c', {}).rule == 'rules[2] (deploy_[!ab]: ask)'
    assert p.evaluate('FS_read', {}).rule == 'default'  # globs are case-sensitive


def test_first_match_wins() -> None:
    p = _policy({'tool': 'shell', 'action': 'deny'}, {'tool': '*', 'action': 'allow'})
    assert p.evaluate('shell', {}).action == 'deny'
    assert p.evaluate('anything', {}, side_effects='external').action == 'allow'
    q = _policy({'tool': '*', 'action': 'allow'}, {'tool': 'shell', 'action': 'deny'})
    assert q.evaluate('shell', {}).action == 'allow'


@pytest.mark.parametrize(
    ('side_effects', 'expected'), [('none', 'allow'), ('sandbox', 'allow'), ('external', 'ask'), ('weird', 'ask')]
)
def test_auto_default_follows_side_effects(side_effects: str, expected: str) -> None:
    decision = _policy().evaluate('tool', {}, side_effects=side_effects)
    assert decision.action == expected
    assert decision.rule == 'default'
    assert side_effects in decision.reason


@pytest.mark.parametrize('default', ['allow', 'deny', 'ask'])
def test_explicit_default(default: str) -> None:
    p = _policy(default=default)
    assert p.evaluate('x', {}, side_effects='none').action == default
    assert p.evaluate('x', {}, side_effects='external').action == default


def test_mcp_denied_unless_explicitly_allowed() -> None:
    p = _policy({'tool': '*', 'action': 'allow'}, default='allow')
    by_name = p.evaluate('mcp__github__create_issue', {})
    assert by_name.action == 'deny'
    assert 'not explicitly allowed' in by_name.reason
    assert p.evaluate('create_issue', {}, source='mcp').action == 'deny'
    assert p.evaluate('create_issue', {}, source='python').action == 'allow'


def test_mcp_explicit_rules_count_and_catch_all_deny_still_denies() -> None:
    p = _policy(
        {'tool': '*search*', 'action': 'allow'},  # no literal start: does not count for MCP
        {'tool': 'mcp__github__get_*', 'action': 'allow'},
        {'tool': 'mcp__github__*', 'action': 'ask'},
        {'tool': 'lookup', 'action': 'allow'},
    )
    assert p.evaluate('mcp__github__get_issue', {}).action == 'allow'
    assert p.evaluate('mcp__github__create_issue', {}).action == 'ask'
    assert p.evaluate('mcp__jira__search', {}).action == 'deny'
    assert p.evaluate('lookup', {}, source='mcp').action == 'allow'
    deny_all = _policy({'tool': '*', 'action': 'deny'}, {'tool': 'mcp__x', 'action': 'allow'})
    assert deny_all.evaluate('mcp__x', {}).action == 'deny'


def test_is_mcp_tool() -> None:
    assert is_mcp_tool('mcp__a__b')
    assert is_mcp_tool('b', 'mcp')
    assert not is_mcp_tool('mcp_like')


def test_budget_maps_to_budget() -> None:
    p = _policy(budget={'max_steps': 10, 'max_tool_calls': 5, 'max_tokens': 1000, 'max_usd': 0.5, 'max_seconds': 60})
    assert p.budget == Budget(max_steps=10, max_tool_calls=5, max_tokens=1000, max_usd=0.5, max_seconds=60)
    assert _policy(budget={'max_usd': 1}).budget == Budget(max_usd=1.0)  # max_steps keeps Budget's default
    assert _policy(budget={'max_steps': None}).budget == Budget(max_steps=None)
    assert _policy().budget is None


def test_allows_domain() -> None:
    p = _policy(network={'allowed_domains': ['example.com', 'PyPI.org.']})
    assert p.allows_domain('example.com')
    assert p.allows_domain('api.example.com')
    assert p.allows_domain('Files.PYPI.org')
    assert not p.allows_domain('evil-example.com')
    assert not p.allows_domain('example.com.evil.net')
    assert not p.allows_domain('')
    assert not _policy().allows_domain('example.com')  # deny by default
    assert not _policy(network={'allowed_domains': []}).allows_domain('example.com')
    assert _policy(network={'allowed_domains': '*'}).allows_domain('anything.net')


def test_allow_all() -> None:
    p = Policy.allow_all()
    assert p.evaluate('shell', {}, side_effects='external').action == 'allow'
    assert p.evaluate('mcp__x__y', {}).action == 'allow'
    assert not p.allows_domain('example.org')  # network stays deny-by-default
    assert p.budget is None and p.interrupted_external == 'ask'


def test_args_hash_is_canonical() -> None:
    a = args_hash('shell', {'command': 'ls', 'timeout': 5, 'env': {'B': '1', 'A': '2'}})
    b = args_hash('shell', {'env': {'A': '2', 'B': '1'}, 'timeout': 5, 'command': 'ls'})
    assert a == b
    assert len(a) == 64
    assert a != args_hash('shell', {'command': 'ls ', 'timeout': 5, 'env': {'B': '1', 'A': '2'}})
    assert a != args_hash('bash', {'command': 'ls', 'timeout': 5, 'env': {'B': '1', 'A': '2'}})
    with pytest.raises(ValueError, match='canonical JSON'):
        args_hash('x', {'v': float('nan')})
