"""A subprocess for the crash-resume test: `python _crashy_agent.py run RUN_ID` or `... resume RUN_ID`.

Tool calls append to $CRASHY_LOG; the third call hangs on the first attempt so the test can SIGKILL the process.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from agentcore import Agent
from agentcore.policy import Policy
from agentcore.testing import ScriptedModel
from agentcore.tools import tool

LOG = Path(os.environ['CRASHY_LOG'])


EFFECTS = os.environ.get('CRASHY_EFFECTS', 'none')


@tool(side_effects=EFFECTS)  # type: ignore[arg-type]
def record(n: int) -> str:
    """Record step n.

    Args:
        n: the step number.
    """
    with LOG.open('a') as f:
        f.write(f'{n}\n')
    if n == 3 and os.environ.get('CRASHY_HANG') == '1':
        time.sleep(600)
    return f'recorded {n}'


def main() -> None:
    mode, run_id = sys.argv[1], sys.argv[2]
    turns = [{'tool_calls': [{'name': 'record', 'arguments': {'n': i}}]} for i in (1, 2, 3)] + ['all recorded']
    model = ScriptedModel(turns)
    agent = Agent(model=model, tools=[record], policy=Policy.allow_all())
    if mode == 'run':
        result = agent.run('record three steps', run_id=run_id)
    elif mode == 'resume':
        result = agent.resume(run_id)
    else:
        result = agent.resume(run_id, {'kind': mode})
    print(f'{result.status}|{result.output}|{result.steps}|{len(model.requests)}', flush=True)


if __name__ == '__main__':
    main()
