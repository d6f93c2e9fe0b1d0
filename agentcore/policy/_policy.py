"""`Policy`: ordered per-tool rules, argument constraints, MCP handling, domain allowlist and budget."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from agentcore._budget import Budget
from agentcore._provenance import ArgumentProvenance

from ._compile import CompiledRule, compile_rule, literal_prefix
from ._constraints import Origin, origin_allowed, parse_origin
from ._errors import PolicyValueError
from ._schema import Action, DefaultAction, PolicySpec

#: Tools that write long-term memory: `untrusted_content.memory_write` applies to them.
MEMORY_WRITERS = frozenset({'memory_save'})
_STRICTNESS = {'allow': 0, 'ask': 1, 'deny': 2}


def _compile_origins(file: str, entries: list[str] | None) -> tuple[Origin, ...] | None:
    """`network.allowed_domains` as `Origin`s.

    Raises:
        PolicyValueError: an entry is not `host`, `host:port` or `http(s)://host[:port]`.
    """
    if entries is None:
        return None
    out = []
    for i, entry in enumerate(entries):
        origin = parse_origin(entry)
        if isinstance(origin, str):
            raise PolicyValueError(file, f'network.allowed_domains[{i}]', origin,
                                   hint='write e.g. example.com, 127.0.0.1:8080 or https://api.example.com:8443')
        out.append(origin)
    return tuple(out)


def _compile_writable(file: str, entries: list[str] | None) -> tuple[str, ...] | None:
    """`sandbox.writable` as normalised workspace-relative folders (the form `SandboxConfig.writable_paths` takes).

    Raises:
        PolicyValueError: an entry is empty, absolute, the workspace itself (`.`), or has a `..` component.
    """
    if entries is None:
        return None
    for i, entry in enumerate(entries):
        parts = [p for p in entry.split('/') if p not in ('', '.')]
        if entry.startswith('/') or '\0' in entry or not parts or '..' in parts:
            raise PolicyValueError(file, f'sandbox.writable[{i}]', f'{entry!r} is not a workspace-relative folder',
                                   hint="write folders relative to the workspace, e.g. 'src/' or 'out'")
    from agentcore.sandbox._config import _writable_paths

    return _writable_paths(entries)


class PolicyDecision(BaseModel):
    """What the policy says about one tool call.

    Attributes:
        action: `allow` (run it), `deny` (do not; tell the model `reason`) or `ask` (a human approves first).
        rule: the deciding rule, e.g. `rules[1] (shell: deny)`, or `default`.
        reason: why, in one line (which rule, or which constraint failed on which argument).
    """

    model_config = ConfigDict(frozen=True)

    action: Literal['allow', 'deny', 'ask']
    rule: str
    reason: str


def is_mcp_tool(tool_name: str, source: str = 'python') -> bool:
    """Whether a tool counts as MCP: `source == 'mcp'` or a name starting with `mcp__`."""
    return source == 'mcp' or tool_name.startswith('mcp__')


def _server_glob(tool_name: str) -> str:
    """`mcp__<server>__*` for an MCP tool name, else the name itself."""
    server, sep, _ = tool_name.removeprefix('mcp__').partition('__')
    return f'mcp__{server}__*' if tool_name.startswith('mcp__') and sep else tool_name


class Policy:
    """A compiled policy. Build it with `load_policy`, `Policy.from_dict` or `Policy.allow_all`.

    Evaluation, for one call:
      1. Rules are tried in file order; the first whose glob matches the tool name decides (first match wins).
      2. MCP tools (see `is_mcp_tool`) only count as matched by a rule whose glob starts with a literal part
         (`mcp__github__*`, `search_issues`), never by a catch-all like `*` or `*search*`; a catch-all *deny* still
         denies them. Without such a rule they are denied, whatever `default` says.
      3. A matching allow/ask rule whose constraints fail becomes deny, naming the constraint and argument.
      4. No rule matched: `default`. `auto` (the default) allows tools whose side effects are `none` or `sandbox`
         and asks for `external` ones (and for any unknown side-effect value).
      5. Once untrusted content is in the run's context (`untrusted` names its sources), calls with `external`
         side effects and memory writes get at least `untrusted_content.external` / `.memory_write` (or the
         matching rule's own `untrusted_content`), and those carrying a value the untrusted content instructs the
         agent to use get at least `untrusted_content.instructed`. A stricter decision stands (deny > ask > allow).
    """

    def __init__(self, spec: PolicySpec, *, source: str = '<dict>', _allow_all: bool = False) -> None:
        """Compile `spec`.

        Raises:
            PolicyFileError: a rule or setting is invalid (see the subclasses for each kind).
        """
        self.spec = spec
        self.source = source
        self.rules: tuple[CompiledRule, ...] = tuple(compile_rule(source, i, r) for i, r in enumerate(spec.rules))
        self.allowed_origins = _compile_origins(source, spec.network.allowed_domains if spec.network else None)
        #: The allowlist entries, normalised (`None`: no allowlist, no host is reachable).
        self.allowed_domains = None if self.allowed_origins is None else tuple(str(o) for o in self.allowed_origins)
        self._budget = Budget(**spec.budget.model_dump(exclude_unset=True)) if spec.budget is not None else None
        #: `sandbox.writable`, normalised: the only workspace folders the sandbox may write (None: all of it).
        self.writable_paths = _compile_writable(source, spec.sandbox.writable if spec.sandbox else None)
        self._allow_all = _allow_all

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str = '<dict>') -> Policy:
        """A policy from plain data shaped like a policy file.

        Raises:
            PolicyFileError: the data is invalid; the message names `source` and the field.
        """
        from ._loader import parse_spec

        return cls(parse_spec(data, source), source=source)

    @classmethod
    def default_policy(cls) -> Policy:
        """What an agent built without a policy uses: the defaults of the policy format, with no rules.

        Tools whose side effects are `none` or `sandbox` run; `external` ones ask a human first, and once untrusted
        content is in the context, memory writes ask too and calls carrying a value that content instructs the agent
        to use are denied; MCP tools are denied until a rule names them; no network host is reachable; no budget
        beyond `Budget()`'s. `agentcore/policy/examples/default.yaml` is the same with rules for the built-in tools.
        """
        return cls(PolicySpec(), source='<default>')

    @classmethod
    def allow_all(cls) -> Policy:
        """Every tool call allowed (MCP tools included), no budget: an explicit choice, never a default.

        Network access stays deny-by-default, as in every policy: `allows_domain` is false for every host, so
        `http_fetch` is refused until a policy lists the domain under `network.allowed_domains`.
        """
        return cls(PolicySpec(default='allow'), source='<allow_all>', _allow_all=True)

    def sandbox_gap(self, sandbox: object) -> str | None:
        """Why `sandbox` does not enforce this policy's `sandbox.writable`, in one line; None when it does.

        A sandbox enforces it when its `config.writable_paths` allows no folder the policy does not list
        (sandboxes without a `config`, such as fakes, cannot be checked and are reported).
        """
        if self.writable_paths is None or sandbox is None:
            return None
        have = getattr(getattr(sandbox, 'config', None), 'writable_paths', None)
        if have is None:
            return (f'policy {self.source} limits writes to {list(self.writable_paths)}, but the sandbox passed in '
                    'lets every process write the whole workspace (build it with '
                    'SandboxConfig(writable_paths=policy.writable_paths))')
        extra = [p for p in have if not any(p == w or p.startswith(w + '/') for w in self.writable_paths)]
        if extra:
            return f'the sandbox passed in also lets processes write {extra}, which policy {self.source} does not list'
        return None

    @property
    def budget(self) -> Budget | None:
        """The run budget from the `budget` section, or `None` when the policy sets none."""
        return self._budget

    @property
    def interrupted_external(self) -> Literal['ask', 'skip', 'retry']:
        """What to do with an external call a crash interrupted (`ask`, `skip` or `retry`)."""
        return self.spec.interrupted_external

    @property
    def memory_write_after_untrusted(self) -> Action:
        """`untrusted_content.memory_write`: `allow` for `Policy.allow_all()`."""
        return 'allow' if self._allow_all else self.spec.untrusted_content.memory_write

    @property
    def default(self) -> DefaultAction:
        return self.spec.default

    def allows_domain(self, host: str) -> bool:
        """Whether network tools may reach `host` on a default port (`https://host`, `http://host`).

        Subdomains of an entry are included. Deny by default: without an allowlist (as in `Policy.allow_all()`) no
        host is allowed; an entry `'*'` allows any host on the default ports. Use `allows_url` for a whole URL.
        """
        return any(self.allows_url(f'{scheme}://{host}') for scheme in ('https', 'http'))

    def allows_url(self, url: str) -> bool:
        """Whether network tools may reach `url`: its scheme, host and port match an `network.allowed_domains` entry.

        A bare entry (`example.com`) allows http and https on their default ports (80, 443) only; `host:8443` that
        port, `host:*` any port; `https://host[:port]` only that scheme. Subdomains are always included. A URL that
        cannot be parsed, or looks crafted (backslashes, whitespace), is not allowed.
        """
        return self.allowed_origins is not None and origin_allowed(url, self.allowed_origins)

    def evaluate(
        self,
        tool_name: str,
        arguments: dict[str, Any],
        *,
        side_effects: str = 'none',
        source: str = 'python',
        provenance: Sequence[ArgumentProvenance] | None = None,
        untrusted: Sequence[str] = (),
    ) -> PolicyDecision:
        """Decide on one tool call (see the class docstring for the order of evaluation).

        Args:
            tool_name: the tool's name as the model called it.
            arguments: the parsed arguments.
            side_effects: the tool's `side_effects` (`none`, `sandbox` or `external`); used by the default.
            source: where the tool comes from; `mcp` makes it an MCP tool.
            provenance: where each argument value was found (`agentcore._taint.argument_provenance`); `None` when
                unknown, which fails every `trusted` constraint.
            untrusted: the labels of the untrusted sources in the run's context; empty when there are none.
        """
        if self._allow_all:
            return PolicyDecision(action='allow', rule='default', reason='Policy.allow_all(): every call is allowed')
        decision, rule = self._decide(tool_name, arguments, side_effects, source, provenance)
        if not untrusted or decision.action == 'deny':
            return decision
        return self._after_untrusted(decision, rule, tool_name, side_effects, provenance or (), untrusted)

    def _after_untrusted(
        self,
        decision: PolicyDecision,
        rule: CompiledRule | None,
        tool_name: str,
        side_effects: str,
        provenance: Sequence[ArgumentProvenance],
        untrusted: Sequence[str],
    ) -> PolicyDecision:
        """Step 5 of the evaluation: tighten `decision` because untrusted content is in the context."""
        kind = 'memory_write' if tool_name in MEMORY_WRITERS else 'external' if side_effects == 'external' else None
        if kind is None:
            return decision
        settings = self.spec.untrusted_content
        instructed = [p for p in provenance if p.instructed]
        if instructed and _STRICTNESS[settings.instructed] > _STRICTNESS[decision.action]:
            why = '; '.join(p.describe() for p in instructed[:3])
            return PolicyDecision(action=settings.instructed, rule='untrusted_content.instructed',
                                  reason=f'untrusted content told the agent to use these values: {why} '
                                         f'(untrusted_content.instructed: {settings.instructed})')
        action: Action = (rule.untrusted_content if rule is not None and rule.untrusted_content is not None
                          else getattr(settings, kind))
        if _STRICTNESS[action] <= _STRICTNESS[decision.action]:
            return decision
        shown = ', '.join(untrusted[:3]) + (f' and {len(untrusted) - 3} more' if len(untrusted) > 3 else '')
        tainted = [p.describe() for p in provenance if p.trust == 'untrusted'][:3]
        reason = (f'untrusted content is in the context ({shown}) and {tool_name} '
                  f'{"writes memory" if kind == "memory_write" else "has external side effects"}'
                  f' (untrusted_content.{kind}: {action})' + (f'; {"; ".join(tainted)}' if tainted else ''))
        return PolicyDecision(action=action, rule=f'untrusted_content.{kind}', reason=reason)

    def _decide(
        self,
        tool_name: str,
        arguments: dict[str, Any],
        side_effects: str,
        source: str,
        provenance: Sequence[ArgumentProvenance] | None,
    ) -> tuple[PolicyDecision, CompiledRule | None]:
        """Steps 1-4 of the evaluation: the decision and the rule that made it (`None`: the default)."""
        mcp = is_mcp_tool(tool_name, source)
        for rule in self.rules:
            glob = rule.matching_glob(tool_name)
            if glob is None:
                continue
            if mcp and not literal_prefix(glob):
                if rule.action == 'deny':
                    return self._deny_rule(rule, tool_name), rule
                continue
            if rule.action == 'deny':
                return self._deny_rule(rule, tool_name), rule
            problem = rule.failure(arguments, provenance)
            if problem:
                return PolicyDecision(action='deny', rule=rule.label, reason=f'{rule.label}: {problem}'), rule
            verb = 'allows' if rule.action == 'allow' else 'asks for approval of'
            reason = f'{rule.label} {verb} {tool_name}' + (f': {rule.reason}' if rule.reason else '')
            return PolicyDecision(action=rule.action, rule=rule.label, reason=reason), rule
        if mcp:
            return PolicyDecision(
                action='deny',
                rule='default',
                reason=f'MCP tool {tool_name!r} is not explicitly allowed by any rule (catch-all rules do not count); '
                f'a rule naming it allows it, e.g. {{tool: {_server_glob(tool_name)!r}, action: allow}}',
            ), None
        if self.spec.default != 'auto':
            action = self.spec.default
            why = f'no rule matches {tool_name!r}; default is {action}'
        else:
            action = 'allow' if side_effects in ('none', 'sandbox') else 'ask'
            why = f'no rule matches {tool_name!r}; default for side_effects={side_effects!r} is {action}'
        return PolicyDecision(action=action, rule='default', reason=why), None

    @staticmethod
    def _deny_rule(rule: CompiledRule, tool_name: str) -> PolicyDecision:
        reason = f'{rule.label} denies {tool_name}'
        if rule.reason:
            reason += f': {rule.reason}'
        return PolicyDecision(action='deny', rule=rule.label, reason=reason)

    def __repr__(self) -> str:
        return f'Policy(source={self.source!r}, rules={len(self.rules)}, default={self.spec.default!r})'
