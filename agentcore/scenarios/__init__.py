"""Recorded scenarios: record an agent run once, replay it offline forever, and be told exactly what changed.

    from agentcore.scenarios import record, save_scenario, replay_paths
    save_scenario(record('fib', ['write fib.py and run it'], model='scripted:fib.yaml', tools=['python']),
                  'scenarios/fib.yaml')
    report = replay_paths(['scenarios'])            # model turns and tool results served from the recording
    report = replay_paths(['scenarios'], verify=True)  # tools re-executed in fresh sandboxes, effects compared

Importing this package is cheap (pydantic and PyYAML); LangGraph, Docker and the model layer load on first use.
"""

from __future__ import annotations

from ._digest import canonical_json, digest_of, request_digest
from ._knowledge import knowledge_files
from ._load import load_scenario, scenario_files
from ._record import arecord, record, redact_scenario, save_scenario, with_digests
from ._recording import Recorder, RecordingApprover, RecordingMemory, RecordingModel, RecordingTool
from ._replay import areplay_paths, areplay_scenario, replay_paths, replay_scenario, report_json
from ._replaying import CheckingMemory, ReplayApprover, ReplayMemory, ReplayModel, ReplayTool, VerifyingTool
from ._report import Divergence, ReplayReport, RunSummary, ScenarioResult
from ._schema import (
    FORMAT_VERSION,
    KNOWLEDGE_TOOL,
    Effects,
    Expectations,
    KnowledgeSpec,
    OutputExpectation,
    RecordedCall,
    RecordedTurn,
    Scenario,
    ScenarioConfig,
    ScenarioRun,
    WindowSpec,
)
from ._session import ReplaySession
from ._yamlio import ScenarioError, parse_scenario, scenario_yaml

__all__ = [
    'FORMAT_VERSION',
    'KNOWLEDGE_TOOL',
    'CheckingMemory',
    'Divergence',
    'Effects',
    'Expectations',
    'KnowledgeSpec',
    'OutputExpectation',
    'RecordedCall',
    'RecordedTurn',
    'Recorder',
    'RecordingApprover',
    'RecordingMemory',
    'RecordingModel',
    'RecordingTool',
    'ReplayApprover',
    'ReplayMemory',
    'ReplayModel',
    'ReplayReport',
    'ReplaySession',
    'ReplayTool',
    'RunSummary',
    'Scenario',
    'ScenarioConfig',
    'ScenarioError',
    'ScenarioResult',
    'ScenarioRun',
    'VerifyingTool',
    'WindowSpec',
    'arecord',
    'areplay_paths',
    'areplay_scenario',
    'canonical_json',
    'digest_of',
    'knowledge_files',
    'load_scenario',
    'parse_scenario',
    'record',
    'redact_scenario',
    'replay_paths',
    'replay_scenario',
    'report_json',
    'request_digest',
    'save_scenario',
    'scenario_files',
    'scenario_yaml',
    'with_digests',
]
