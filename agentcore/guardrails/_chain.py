"""`GuardrailChain`: several guardrails applied one after the other, as one guardrail."""

from __future__ import annotations

from collections.abc import Sequence

from ._base import Finding, Guardrail, GuardrailAction, GuardrailResult, Stage


class GuardrailChain:
    """Runs guardrails in order, each on the text the previous one passed on.

    The result is `block` as soon as one blocks (later ones do not run), else `modify` if any modified, else
    `allow`. Findings are concatenated; each finding's span refers to the text its own guardrail was given.
    """

    def __init__(self, guardrails: Sequence[Guardrail], *, name: str = 'chain') -> None:
        self.guardrails = tuple(guardrails)
        self._name = name

    @property
    def name(self) -> str:
        return self._name

    async def check(self, text: str, *, stage: Stage) -> GuardrailResult:
        findings: list[Finding] = []
        action: GuardrailAction = 'allow'
        current = text
        for guardrail in self.guardrails:
            result = await guardrail.check(current, stage=stage)
            findings.extend(result.findings)
            if result.action == 'block':
                return GuardrailResult(action='block', text=result.text, findings=findings)
            if result.action == 'modify':
                action = 'modify'
                current = result.text
        return GuardrailResult(action=action, text=current, findings=findings)
