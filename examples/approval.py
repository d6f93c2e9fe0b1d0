"""Human approval: a policy asks before a tool deletes anything, a `ScriptedApprover` answers, a paused run resumes.

Run it from the repository root: `python examples/approval.py` (no API key, no Docker).
"""

from typing import Any

from agentcore import Agent
from agentcore.policy import Approve, Edit, Policy, Reject, ScriptedApprover
from agentcore.testing import ScriptedModel
from agentcore.tools import tool

#: A pretend disk, so that the example changes nothing on yours.
FILES = {'notes/old.md': 'old notes', 'notes/todo.md': 'water the plants', 'notes/scratch.md': 'tmp'}

POLICY = Policy.from_dict({
    'version': 1,
    'rules': [
        {'tool': 'delete_file', 'action': 'ask', 'reason': 'deleting needs a human',
         'when': {'path': {'prefix': 'notes'}}},
    ],
})


@tool(side_effects='external')
def delete_file(path: str) -> str:
    """Delete a file.

    Args:
        path: the file to delete.
    """
    del FILES[path]
    return f'deleted {path}'


def deletions(*paths: str) -> ScriptedModel:
    """A model that deletes `paths` one turn at a time, then says it is done."""
    calls = [{'tool_calls': [{'name': 'delete_file', 'arguments': {'path': p}}]} for p in paths]
    turns: list[dict[str, Any] | str] = [*calls]
    return ScriptedModel([*turns, 'Done tidying up.'])


def answered_by_an_approver() -> None:
    """An approver decides every `ask` at once: approve the first deletion, reject the second."""
    approver = ScriptedApprover([Approve(), Reject(reason='keep the todo list')])
    agent = Agent(model=deletions('notes/old.md', 'notes/todo.md'), tools=[delete_file], policy=POLICY,
                  approver=approver)
    result = agent.run('Tidy up the notes folder.')
    for request in approver.requests:
        print(f'asked: {request.tool_name}({request.arguments}) because {request.reason!r}')
    print('status:', result.status, '| output:', result.output)
    print('files left:', sorted(FILES))


def paused_and_resumed() -> None:
    """Without an approver the run pauses; `resume` answers with a decision (here: edit the arguments)."""
    agent = Agent(model=deletions('notes/todo.md'), tools=[delete_file], policy=POLICY)
    paused = agent.run('Delete the scratch file.')
    pending = paused.pending_approval or {}
    print('status:', paused.status, '| waiting for:', pending['tool'], pending['arguments'])
    # The decision is bound to the run; the edited arguments are checked against the policy again.
    result = agent.resume(paused.run_id, Edit(arguments={'path': 'notes/scratch.md'}))
    print('status:', result.status, '| output:', result.output)
    print('files left:', sorted(FILES))


if __name__ == '__main__':
    answered_by_an_approver()
    paused_and_resumed()
