"""The terminal UI: `agentcore chat` (`ChatApp`) and the replay stepper (`agentcore replay --tui`).

Names load on first use, so importing `agentcore.tui` does not import Textual until a UI is actually built.

    from agentcore.tui import ChatApp
    ChatApp(lambda approver: Agent(model=..., tools=[...], approver=approver)).run()
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from agentcore._lazy import lazy_exports

if TYPE_CHECKING:
    from ._approval import ApprovalScreen, ApprovalView, TUIApprover, parse_arguments
    from ._chat_app import AgentFactory, ChatApp, help_sections
    from ._help import HelpScreen
    from ._history import HistoryScreen
    from ._replay import ReplayApp, ReplayScreen, ReplayStep, ReplayTrace
    from ._run import run_chat, run_replay_tui
    from ._scenario_steps import aload_trace, load_trace, trace_from_scenario
    from ._widgets import Conversation, StatusBar, Timeline

_EXPORTS: dict[str, str] = {
    'AgentFactory': '._chat_app',
    'ApprovalScreen': '._approval',
    'ApprovalView': '._approval',
    'ChatApp': '._chat_app',
    'Conversation': '._widgets',
    'HelpScreen': '._help',
    'HistoryScreen': '._history',
    'ReplayApp': '._replay',
    'ReplayScreen': '._replay',
    'ReplayStep': '._replay',
    'ReplayTrace': '._replay',
    'StatusBar': '._widgets',
    'TUIApprover': '._approval',
    'Timeline': '._widgets',
    'aload_trace': '._scenario_steps',
    'help_sections': '._chat_app',
    'load_trace': '._scenario_steps',
    'parse_arguments': '._approval',
    'run_chat': '._run',
    'run_replay_tui': '._run',
    'trace_from_scenario': '._scenario_steps',
}

__all__ = [
    'AgentFactory',
    'ApprovalScreen',
    'ApprovalView',
    'ChatApp',
    'Conversation',
    'HelpScreen',
    'HistoryScreen',
    'ReplayApp',
    'ReplayScreen',
    'ReplayStep',
    'ReplayTrace',
    'StatusBar',
    'TUIApprover',
    'Timeline',
    'aload_trace',
    'help_sections',
    'load_trace',
    'parse_arguments',
    'run_chat',
    'run_replay_tui',
    'trace_from_scenario',
]


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, __all__)
