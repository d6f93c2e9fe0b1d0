"""Running AgentDojo cases through the defended and the undefended agentcore pipelines, scored by AgentDojo."""

from __future__ import annotations

import asyncio
import time
import warnings
from dataclasses import asdict, dataclass
from functools import cache
from typing import Any

from agentdojo.attacks.attack_registry import load_attack
from agentdojo.attacks.base_attacks import BaseAttack
from agentdojo.task_suite.load_suites import get_suite
from agentdojo.task_suite.task_suite import TaskSuite

from ._agentdojo_env import fast_environments
from ._agentdojo_pipeline import AgentcorePipeline, RunRecord

BENCHMARK_VERSION = 'v1.2.1'


@dataclass(frozen=True)
class Unit:
    """One user task of a suite, with the attacks and injection tasks to run it under."""

    suite: str
    user_task: str
    attacks: tuple[str, ...]
    injection_tasks: tuple[str, ...]


@dataclass
class Case:
    """One scored run. `attack` is `none` for the run without injections; `security` is AgentDojo's: the attack
    succeeded (for a DoS attack, AgentDojo's `not utility`)."""

    suite: str
    user_task: str
    attack: str
    injection_task: str | None
    defended: bool
    utility: bool
    security: bool
    status: str
    tool_results: int
    quarantined: int
    payload_results: int
    payload_quarantined: int
    obeyed: str | None
    denied: int
    approvals: int
    #: How long AgentDojo's `run_task_with_pipeline` took (the agent run and AgentDojo's own copies and checks).
    seconds: float


@cache
def suite(name: str) -> TaskSuite[Any]:
    """AgentDojo's suite `name` of `BENCHMARK_VERSION`, its environments parsed with libyaml (`fast_environments`)."""
    s = get_suite(BENCHMARK_VERSION, name)
    fast_environments(s)
    return s


_LOOP: asyncio.AbstractEventLoop | None = None


def _loop() -> asyncio.AbstractEventLoop:
    global _LOOP
    if _LOOP is None:
        _LOOP = asyncio.new_event_loop()
    return _LOOP


@cache
def pipelines(suite_name: str) -> tuple[AgentcorePipeline, AgentcorePipeline]:
    """The defended and the undefended pipeline of a suite (one of each per process)."""
    s = suite(suite_name)
    return AgentcorePipeline(s, defended=True, loop=_loop()), AgentcorePipeline(s, defended=False, loop=_loop())


@cache
def attack(suite_name: str, name: str) -> BaseAttack:
    """AgentDojo's attack `name` on a suite (it caches the injection candidates of each user task)."""
    return load_attack(name, suite(suite_name), pipelines(suite_name)[0])


def _case(unit: Unit, attack_name: str, injection_task: str | None, defended: bool, utility: bool, security: bool,
          record: RunRecord, seconds: float) -> Case:
    tool_views = record.views
    carried = record.carried_payload
    return Case(
        suite=unit.suite, user_task=unit.user_task, attack=attack_name, injection_task=injection_task,
        defended=defended, utility=bool(utility), security=bool(security), status=record.status,
        tool_results=len(tool_views), quarantined=sum(v.quarantined for v in tool_views),
        payload_results=sum(v.call_id in carried for v in tool_views),
        payload_quarantined=sum(v.quarantined and v.call_id in carried for v in tool_views),
        obeyed=record.obeyed, denied=len(record.denied), approvals=record.approvals, seconds=round(seconds, 4),
    )


def run_unit(unit: Unit) -> list[dict[str, Any]]:
    """Every case of `unit`: without injections, then under each attack, defended and undefended.

    A DoS attack runs with the suite's first injection task only, and its `security` is `not utility`, as
    `agentdojo.benchmark` does. A user task none of whose tool results holds an injection vector is skipped
    under attack (AgentDojo raises for it).
    """
    s = suite(unit.suite)
    task = s.get_user_task_by_id(unit.user_task)
    pipes = pipelines(unit.suite)
    out: list[Case] = []
    for pipe in pipes:
        pipe.prepare(task, None, {})
        started = time.perf_counter()
        utility, security = s.run_task_with_pipeline(pipe, task, injection_task=None, injections={})
        assert pipe.last is not None
        out.append(_case(unit, 'none', None, pipe.defended, utility, False, pipe.last, time.perf_counter() - started))
    for name in unit.attacks:
        atk = attack(unit.suite, name)
        targets = [next(iter(s.injection_tasks))] if atk.is_dos_attack else list(unit.injection_tasks)
        for injection_id in targets:
            injection_task = s.get_injection_task_by_id(injection_id)
            try:
                injections = atk.attack(task, injection_task)
            except ValueError:  # "... is not injectable"
                break
            environment = s.load_and_inject_default_environment(injections)
            for pipe in pipes:
                pipe.prepare(task, injection_task, injections, dos=atk.is_dos_attack)
                started = time.perf_counter()
                with warnings.catch_warnings():
                    warnings.simplefilter('ignore')
                    utility, security = s.run_task_with_pipeline(pipe, task, injection_task, injections,
                                                                 environment=environment.model_copy(deep=True))
                if atk.is_dos_attack:
                    security = not utility
                assert pipe.last is not None
                out.append(_case(unit, name, injection_id, pipe.defended, utility, security, pipe.last,
                                 time.perf_counter() - started))
    return [asdict(c) for c in out]
