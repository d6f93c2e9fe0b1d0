"""Tools in a real, hardened Docker sandbox: the model writes a script, runs it and reads the file it wrote.

Needs Docker and the sandbox image (`agentcore sandbox build`; `agentcore sandbox doctor` checks both). No API key.
Run it from the repository root: `python examples/sandbox_agent.py`.
"""

from agentcore import Agent
from agentcore.sandbox import DockerSandbox, SandboxConfig
from agentcore.testing import ScriptedModel
from agentcore.tools import builtin_tools

SCRIPT = """import statistics
xs = [3, 1, 4, 1, 5, 9, 2, 6]
open('stats.txt', 'w').write(f'{statistics.mean(xs)}')
print(max(xs))
"""


def main() -> None:
    """One run with the built-in tools, in a sandbox with tighter limits than the defaults."""
    model = ScriptedModel([
        {'tool_calls': [{'name': 'write_file', 'arguments': {'path': 'stats.py', 'content': SCRIPT}}]},
        {'tool_calls': [{'name': 'python', 'arguments': {'code': 'exec(open("stats.py").read())'}}]},
        {'tool_calls': [{'name': 'read_file', 'arguments': {'path': 'stats.txt'}}]},
        'The maximum is 9 and the mean is 3.875.',
    ])
    # No network, read-only root, non-root user, no capabilities: the defaults. Limits can only be tightened here.
    config = SandboxConfig(memory_mb=256, pids_limit=64, default_timeout_s=30)
    with DockerSandbox(config) as sandbox:
        agent = Agent(model=model, tools=builtin_tools(), sandbox=sandbox)
        print('tools:', ', '.join(t.name for t in agent.tools))
        result = agent.run('Write stats.py to compute the mean and the maximum of 3 1 4 1 5 9 2 6, and run it.')
        print('status:', result.status, '| tool calls:', result.tool_calls)
        print('output:', result.output)
        # The workspace outlives the run until the sandbox is closed.
        print('workspace:', sorted(f.path for f in sandbox.list_files()))
        print('stats.txt:', sandbox.read_file('stats.txt').decode())
        # No network: the only interface inside is loopback.
        check = sandbox.exec(['python3', '-c', 'import socket; print([n for _, n in socket.if_nameindex()])'])
        print('network interfaces in the sandbox:', check.stdout.strip())


if __name__ == '__main__':
    main()
