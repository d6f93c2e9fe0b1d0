"""Getting the executor into a container: a tiny bootstrap command plus the executor's modules sent over stdin.

The image needs nothing but `python3`: the container runs `python3 -I -S -c BOOTSTRAP`, which reads one
length-prefixed JSON bundle of module sources from stdin, registers them under their `sandbox.*` names and runs
`sandbox._executor.main()`.
"""

from __future__ import annotations

import json
import struct
from functools import cache
from pathlib import Path

#: Executor modules, dependencies first.
_MODULES = ('_errors', '_tarsafe', '_executor_wire', '_executor_files', '_executor_procs', '_executor')

BOOTSTRAP = (
    'import os,sys,json,types\n'
    'def rd(n):\n'
    " b=b''\n"
    ' while len(b)<n:\n'
    '  c=os.read(0,n-len(b))\n'
    '  if not c: raise SystemExit(3)\n'
    '  b+=c\n'
    ' return b\n'
    "mods=json.loads(rd(int.from_bytes(rd(4),'big')))\n"
    "sys.modules['sandbox']=types.ModuleType('sandbox')\n"
    'for name,src in mods:\n'
    " m=types.ModuleType(name);m.__package__='sandbox';sys.modules[name]=m\n"
    " exec(compile(src,'<agentcore '+name+'>','exec'),m.__dict__)\n"
    "sys.modules['sandbox._executor'].main()\n"
)


@cache
def bundle() -> bytes:
    """The length-prefixed bundle the bootstrap reads: `[[module name, source], ...]` as JSON."""
    here = Path(__file__).parent
    mods = [[f'sandbox.{name}', (here / f'{name}.py').read_text(encoding='utf-8')] for name in _MODULES]
    data = json.dumps(mods).encode()
    return struct.pack('>I', len(data)) + data


def command(python: str) -> list[str]:
    """The container command that boots the executor with interpreter `python`."""
    return [python, '-I', '-S', '-c', BOOTSTRAP]
