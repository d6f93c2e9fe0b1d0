"""Checking a model turn: every malformed part becomes a readable error for the model, never a crash."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from ._messages import Message
from ._sanitize import ArgumentsRejected, clean_text, load_arguments, needs_cleaning
from ._state import PendingCall

if TYPE_CHECKING:
    from agentcore.tools import Tool

#: Prefix of corrective messages the framework writes into the conversation.
NOTICE = '[agentcore]'

_JSON_BLOCK = re.compile(r'```(?:json)?\s*(\{.*?\})\s*```', re.DOTALL)


def parse_calls(message: Message, tools: dict[str, Tool]) -> list[PendingCall]:
    """Turn the model's tool calls into pending calls; malformed ones get action `error` and a reason.

    Arguments larger than `MAX_ARG_BYTES` or nested deeper than `MAX_ARG_DEPTH` (agentcore._sanitize) are malformed
    too; strings in the arguments are cleaned (lone surrogates and NUL become U+FFFD). Never raises.
    """
    from agentcore.tools import ToolArgumentsError

    pending: list[PendingCall] = []
    for call in message.tool_calls:
        base = PendingCall(id=call.id, name=call.name, arguments={}, side_effects='none', source='python',
                           action='allow', rule='', reason='')
        tool = tools.get(call.name)
        if tool is None:
            known = ', '.join(sorted(tools)) or 'none'
            pending.append({**base, 'action': 'error', 'reason': f'unknown tool {call.name!r}; available tools: {known}'})
            continue
        base['side_effects'] = tool.side_effects
        base['source'] = tool.source
        try:
            args = load_arguments(call.arguments or '{}')
        except ArgumentsRejected as exc:
            pending.append({**base, 'action': 'error', 'reason': str(exc)})
            continue
        except json.JSONDecodeError as exc:
            pending.append({**base, 'action': 'error',
                            'reason': f'arguments are not valid JSON ({exc.msg} at position {exc.pos}); '
                                      'send a JSON object matching the tool schema'})
            continue
        if not isinstance(args, dict):
            pending.append({**base, 'action': 'error',
                            'reason': f'arguments must be a JSON object, got {type(args).__name__}'})
            continue
        try:
            args = tool.validate_arguments(args)
        except ToolArgumentsError as exc:
            pending.append({**base, 'arguments': args, 'action': 'error',
                            'reason': f'invalid arguments: {clean_text(str(exc))}'})
            continue
        except RecursionError:  # a validator that recurses further than MAX_ARG_DEPTH allows for
            pending.append({**base, 'action': 'error', 'reason': 'arguments are nested too deeply for this tool'})
            continue
        pending.append({**base, 'arguments': args})
    return pending


def text_tool_call(content: str, tools: dict[str, Tool]) -> str | None:
    """The tool name, if the model wrote a call to a known tool as text instead of calling it."""
    candidates = [content.strip(), *_JSON_BLOCK.findall(content)]
    for text in candidates:
        if not text.startswith('{'):
            continue
        try:
            obj: Any = json.loads(text)
        except (json.JSONDecodeError, RecursionError):
            continue
        if isinstance(obj, dict):
            name = obj.get('name') or obj.get('tool') or (obj.get('function') or {}).get('name')
            if isinstance(name, str) and name in tools and ({'arguments', 'parameters', 'args'} & obj.keys()):
                return name
    return None


def unique_call_ids(message: Message, history: list[dict[str, Any]], step: int) -> Message:
    """`message` with every tool-call id unique in the run (missing or already used ids replaced).

    Local servers send `call_0` every turn, or no id at all; the ledger and the conversation need one id per call.
    A replaced id is `call_<step>_<index>`, and the provider's own is kept in `provider_id`.
    The message's text (content, call names, ids and arguments) is cleaned first (`clean_message`).
    """
    message = clean_message(message)
    if not message.tool_calls:
        return message
    used = {c.get('id') for m in history if m.get('role') == 'assistant' for c in m.get('tool_calls') or ()}
    calls = []
    for i, call in enumerate(message.tool_calls):
        if call.id and call.id not in used:
            used.add(call.id)
            calls.append(call)
            continue
        fresh = f'call_{step}_{i}'
        while fresh in used:
            fresh += '_'
        used.add(fresh)
        calls.append(call.model_copy(update={'id': fresh, 'provider_id': call.id or None}))
    return message if calls == message.tool_calls else message.model_copy(update={'tool_calls': calls})


def clean_message(message: Message) -> Message:
    """`message` with lone surrogates and NUL bytes in its text replaced by U+FFFD, so that it can be stored."""
    texts = [message.content, *(t for c in message.tool_calls for t in (c.id, c.name, c.arguments))]
    if not any(needs_cleaning(t) for t in texts):
        return message
    calls = [c.model_copy(update={'id': clean_text(c.id), 'name': clean_text(c.name),
                                  'arguments': clean_text(c.arguments)}) for c in message.tool_calls]
    return message.model_copy(update={'content': clean_text(message.content), 'tool_calls': calls})


def notice(text: str) -> dict[str, Any]:
    """A corrective user-role message from the framework."""
    return Message(role='user', content=f'{NOTICE} {text}').model_dump()


def tool_message(call_id: str, name: str, content: str) -> dict[str, Any]:
    return Message(role='tool', content=content, tool_call_id=call_id, name=name).model_dump()
