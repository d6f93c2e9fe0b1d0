"""Policy as code: per-tool rules with argument constraints, budgets, domain allowlists and human approvals.

Load a policy with `load_policy('policy.yaml')`; the format is documented in `examples/default.yaml`
(`agentcore.policy.examples.DEFAULT_POLICY`).
"""

from __future__ import annotations

from agentcore._provenance import ArgumentProvenance
from agentcore._taint import argument_provenance

from ._approval import (
    Abort,
    ApprovalDecision,
    ApprovalError,
    ApprovalRequest,
    Approve,
    Approver,
    Edit,
    Reject,
    check_edit,
    decision_to_dict,
    parse_decision,
    validate_decision,
)
from ._canonical import args_hash, canonical_json
from ._cli_approver import CLIApprover
from ._errors import (
    PolicyBoundsError,
    PolicyFileError,
    PolicyPatternError,
    PolicySyntaxError,
    PolicyTypeError,
    PolicyUnknownFieldError,
    PolicyUnreadableError,
    PolicyValueError,
)
from ._loader import load_policy
from ._policy import Policy, PolicyDecision, is_mcp_tool
from ._schema import ArgConstraint, BudgetSpec, NetworkSpec, PolicySpec, RuleSpec, UntrustedContentSpec
from ._scripted_approver import ScriptedApprover

__all__ = [
    'Abort',
    'ApprovalDecision',
    'ApprovalError',
    'ApprovalRequest',
    'ArgumentProvenance',
    'Approve',
    'Approver',
    'ArgConstraint',
    'BudgetSpec',
    'CLIApprover',
    'Edit',
    'NetworkSpec',
    'Policy',
    'PolicyBoundsError',
    'PolicyDecision',
    'PolicyFileError',
    'PolicyPatternError',
    'PolicySpec',
    'PolicySyntaxError',
    'PolicyTypeError',
    'PolicyUnknownFieldError',
    'PolicyUnreadableError',
    'PolicyValueError',
    'Reject',
    'RuleSpec',
    'ScriptedApprover',
    'UntrustedContentSpec',
    'args_hash',
    'argument_provenance',
    'canonical_json',
    'check_edit',
    'decision_to_dict',
    'is_mcp_tool',
    'load_policy',
    'parse_decision',
    'validate_decision',
]
