from __future__ import annotations

from pathlib import Path

import pytest

from agentcore.policy import (
    Policy,
    PolicyBoundsError,
    PolicyFileError,
    PolicyPatternError,
    PolicySyntaxError,
    PolicyTypeError,
    PolicyUnknownFieldError,
    PolicyUnreadableError,
    PolicyValueError,
    load_policy,
)
from agentcore.policy.examples import DEFAULT_POLICY


def _write(tmp_path: Path, text: str, name: str = 'policy.yaml') -> Path:
    path = tmp_path / name
    path.write_text(text, encoding='utf-8')
    return path


def _error(path: Path, cls: type[PolicyFileError]) -> PolicyFileError:
    with pytest.raises(cls) as info:
        load_policy(path)
    err = info.value
    assert isinstance(err, PolicyFileError)
    assert err.usage_error is True
    assert str(path) in str(err)
    assert '\n' not in str(err)
    return err


def test_example_policy_loads() -> None:
    policy = load_policy(DEFAULT_POLICY)
    assert policy.budget is not None
    assert policy.evaluate('read_file', {'path': 'src/a.py'}).action == 'allow'
    assert policy.evaluate('read_file', {'path': '/etc/shadow'}).action == 'deny'
    assert policy.evaluate('git_push', {}).action == 'deny'
    assert policy.evaluate('mcp__github__get_issue', {}).action == 'allow'
    assert policy.evaluate('mcp__slack__post', {}).action == 'deny'
    assert policy.allows_domain('docs.python.org')
    assert not policy.allows_domain('evil-python.org')


def test_toml_policy(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        'default = "deny"\n[budget]\nmax_steps = 5\n[[rules]]\ntool = "fs_*"\naction = "allow"\n'
        '[rules.when.path]\nprefix = ["/workspace"]\n',
        'policy.toml',
    )
    policy = load_policy(path)
    assert policy.evaluate('fs_read', {'path': '/workspace/a'}).action == 'allow'
    assert policy.evaluate('other', {}).action == 'deny'
    assert policy.budget is not None and policy.budget.max_steps == 5


def test_unreadable_missing_file(tmp_path: Path) -> None:
    err = _error(tmp_path / 'nope.yaml', PolicyUnreadableError)
    assert 'cannot read' in err.reason
    assert err.hint


def test_unreadable_directory_and_binary(tmp_path: Path) -> None:
    _error(tmp_path, PolicyUnreadableError)
    binary = tmp_path / 'bin.yaml'
    binary.write_bytes(b'rules: \xff\xfe\n')
    assert 'not UTF-8' in _error(binary, PolicyUnreadableError).reason


def test_yaml_syntax_error_has_line(tmp_path: Path) -> None:
    path = _write(tmp_path, 'default: allow\nrules:\n  - tool: shell\n    action: [deny\n')
    err = _error(path, PolicySyntaxError)
    assert err.line is not None and err.line >= 4
    assert f'line {err.line}' in str(err)
    assert 'not valid YAML' in str(err)


def test_toml_syntax_error_has_line(tmp_path: Path) -> None:
    path = _write(tmp_path, 'default = "allow"\n[[rules]\ntool = "x"\n', 'policy.toml')
    err = _error(path, PolicySyntaxError)
    assert err.line == 2
    assert 'line 2' in str(err) and 'not valid TOML' in str(err)


def test_duplicate_yaml_key(tmp_path: Path) -> None:
    err = _error(_write(tmp_path, 'default: allow\nrules: []\ndefault: deny\n'), PolicySyntaxError)
    assert err.line == 3
    assert "duplicate key 'default'" in str(err)


def test_unknown_field(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        'rules:\n  - tool: a\n    action: allow\n  - tool: b\n    action: allow\n'
        '  - tool: c\n    action: allow\n    when:\n      path:\n        prefx: /w\n',
    )
    err = _error(path, PolicyUnknownFieldError)
    assert err.field == 'rules[2].when.path.prefx'
    assert 'policy file ' in str(err) and 'field rules[2].when.path.prefx' in str(err)
    assert "unknown field 'prefx' (did you mean 'prefix'?)" in str(err)
    assert err.hint is not None and 'prefix' in err.hint


def test_wrong_type(tmp_path: Path) -> None:
    err = _error(_write(tmp_path, 'budget:\n  max_steps: ten\n'), PolicyTypeError)
    assert err.field == 'budget.max_steps'
    assert 'wrong type' in err.reason and 'integer' in err.reason
    err = _error(
        _write(tmp_path, 'rules:\n  - tool: a\n    action: allow\n    when:\n      path:\n        prefix: 3\n'),
        PolicyTypeError,
    )
    assert err.field == 'rules[0].when.path.prefix'
    assert 'field rules[0].when.path.prefix: wrong type' in str(err)
    top = _error(_write(tmp_path, '- a\n- b\n'), PolicyTypeError)
    assert 'top level must be a mapping' in str(top)


def test_bad_value(tmp_path: Path) -> None:
    err = _error(_write(tmp_path, 'rules:\n  - tool: shell\n    action: permit\n'), PolicyValueError)
    assert err.field == 'rules[0].action'
    assert "'allow', 'deny' or 'ask'" in err.reason and "'permit'" in err.reason
    err = _error(_write(tmp_path, 'network:\n  allowed_domains: [example.com, "https://x.org/path"]\n'), PolicyValueError)
    assert err.field == 'network.allowed_domains[1]'
    assert 'no path' in err.reason
    err = _error(_write(tmp_path, 'rules:\n  - action: allow\n'), PolicyValueError)
    assert err.field == 'rules[0].tool' and 'missing' in err.reason
    err = _error(
        _write(tmp_path, 'rules:\n  - tool: x\n    action: deny\n    when: {p: {regex: a}}\n'), PolicyValueError
    )
    assert err.field == 'rules[0].when' and 'no effect' in err.reason
    _error(_write(tmp_path, ''), PolicyValueError)


def test_bad_glob(tmp_path: Path) -> None:
    err = _error(
        _write(tmp_path, 'rules:\n  - tool: ok\n    action: allow\n  - tool: "fs_[read"\n    action: allow\n'),
        PolicyPatternError,
    )
    assert err.field == 'rules[1].tool'
    assert 'unclosed "["' in err.reason
    err = _error(_write(tmp_path, 'rules:\n  - tool: [a, "b c"]\n    action: allow\n'), PolicyPatternError)
    assert err.field == 'rules[0].tool[1]' and 'whitespace' in err.reason


def test_bad_regex(tmp_path: Path) -> None:
    path = _write(tmp_path, 'rules:\n  - tool: git\n    action: allow\n    when:\n      branch: {regex: "feat/(a"}\n')
    err = _error(path, PolicyPatternError)
    assert err.field == 'rules[0].when.branch.regex'
    assert 'invalid regex' in err.reason and 'missing )' in err.reason


def test_contradictory_bounds(tmp_path: Path) -> None:
    path = _write(tmp_path, 'rules:\n  - tool: shell\n    action: ask\n    when:\n      timeout: {min: 10, max: 5}\n')
    err = _error(path, PolicyBoundsError)
    assert err.field == 'rules[0].when.timeout.min'
    assert 'min (10) is greater than max (5)' in err.reason
    mixed = _write(tmp_path, 'rules:\n  - tool: s\n    action: ask\n    when:\n      x: {regex: a, max: 5}\n')
    assert _error(mixed, PolicyBoundsError).field == 'rules[0].when.x'


def test_from_dict_errors_name_the_source() -> None:
    with pytest.raises(PolicyUnknownFieldError, match=r'policy file cfg:policy, field rulez: unknown field'):
        Policy.from_dict({'rulez': []}, source='cfg:policy')
