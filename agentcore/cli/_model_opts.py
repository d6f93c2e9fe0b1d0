"""The model-request options shared by `run`, `chat` and `record` (`--tool-choice`, `--temperature`...)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from agentcore import ModelSettings

ToolChoice = Annotated[str | None, typer.Option(
    '--tool-choice', metavar='auto|required|none|TOOL',
    help='What the model may do with the tools: auto (default), required, none, or the one tool to call.')]
Temperature = Annotated[float | None, typer.Option('--temperature', min=0, max=2, help='Sampling temperature.')]
Seed = Annotated[int | None, typer.Option('--seed', help='Sampling seed (local servers honour it).')]
MaxTokens = Annotated[int | None, typer.Option('--max-tokens', min=1, help='Most tokens per model turn.')]
ExtraBody = Annotated[str | None, typer.Option(
    '--extra-body', metavar='JSON', help='Extra JSON fields for the request body, e.g. \'{"top_k": 20}\'.')]


def model_settings(
    *, tool_choice: str | None, temperature: float | None, seed: int | None, max_tokens: int | None,
    extra_body: str | None,
) -> dict[str, Any] | None:
    """The options given, as `ModelSettings` data (`None` when none was given), for the agent and its run record.

    Raises:
        typer.BadParameter: `--extra-body` is not a JSON object.
    """
    body: Any = None
    if extra_body is not None:
        try:
            body = json.loads(extra_body)
        except json.JSONDecodeError as exc:
            raise typer.BadParameter(f'--extra-body: not valid JSON ({exc.msg} at position {exc.pos})') from None
        if not isinstance(body, dict):
            raise typer.BadParameter('--extra-body: expected a JSON object')
    given = {'tool_choice': tool_choice, 'temperature': temperature, 'seed': seed, 'max_tokens': max_tokens,
             'extra_body': body}
    given = {k: v for k, v in given.items() if v is not None}
    return given or None


def as_settings(data: dict[str, Any] | None) -> ModelSettings | None:
    """`ModelSettings` from what `model_settings` returned (or a run record kept)."""
    from agentcore import ModelSettings

    return None if not data else ModelSettings.model_validate(data)
