"""Getting the executor into a container: a tiny bootstrap command plus the executor's modules sent over stdin.

The image needs nothing but `python3`: the container runs `python3 -I -S -c BOOTSTRAP`, which reads one
length-prefixed JSON bundle from stdin (the module sources and the container's frame-authentication key),
registers the modules under their `agentcore.sandbox.*` names and runs `agentcore.sandbox._executor.main(key)`.
"""

from __future__ import annotations

import json
import struct
from functools import cache
from pathlib import Path

#: Executor modules, dependencies first (after `agentcore._errors`, the root of `_errors`).
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
    "d=json.loads(rd(int.from_bytes(rd(4),'big')))\n"
    "for p in ('agentcore','agentcore.sandbox'): sys.modules[p]=types.ModuleType(p)\n"
    "for name,src in d['modules']:\n"
    " m=types.ModuleType(name);m.__package__=name.rpartition('.')[0];sys.modules[name]=m\n"
    " exec(compile(src,'<'+name+'>','exec'),m.__dict__)\n"
    "sys.modules['agentcore.sandbox._executor'].main(bytes.fromhex(d['key']))\n"
)


@cache
def _modules() -> str:
    here = Path(__file__).parent
    root = [['agentcore._errors', (here.parent / '_errors.py').read_text(encoding='utf-8')]]
    return json.dumps(root + [[f'agentcore.sandbox.{name}', (here / f'{name}.py').read_text(encoding='utf-8')]
                              for name in _MODULES])


def bundle(key: bytes) -> bytes:
    """The length-prefixed bundle the bootstrap reads: `{"key": hex, "modules": [[name, source], ...]}`."""
    data = f'{{"key": "{key.hex()}", "modules": {_modules()}}}'.encode()
    return struct.pack('>I', len(data)) + data


def command(python: str) -> list[str]:
    """The container command that boots the executor with interpreter `python`."""
    return [python, '-I', '-S', '-c', BOOTSTRAP]
