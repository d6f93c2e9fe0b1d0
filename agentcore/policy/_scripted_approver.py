"""`ScriptedApprover`: answers approval requests from a fixed list (tests, recorded scenarios)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ._approval import ApprovalDecision, ApprovalError, ApprovalRequest, parse_decision


class ScriptedApprover:
    """Returns the given decisions in order and records every request it saw in `requests`.

    Raises (from `decide`):
        ApprovalError: more requests than scripted decisions.
    """

    def __init__(self, decisions: Iterable[ApprovalDecision | Mapping[str, Any]]) -> None:
        self._decisions = [parse_decision(d) for d in decisions]
        self.requests: list[ApprovalRequest] = []

    async def decide(self, request: ApprovalRequest) -> ApprovalDecision:
        self.requests.append(request)
        if len(self.requests) > len(self._decisions):
            raise ApprovalError(
                f'ScriptedApprover has no decision left for request {request.call_id} ({request.tool_name})',
                hint='script one decision per expected approval',
            )
        return self._decisions[len(self.requests) - 1]
