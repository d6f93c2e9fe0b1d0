"""Reading the docs' fenced code blocks: their settings, the files they define and the console transcripts.

Conventions (also described in docs/contributing-docs.md):

- A block's settings follow its language in braces, as pytest-examples and MkDocs (attr_list) read them:
  ```` ```python {test="skip"} ````, ```` ```yaml {title="hello.yaml"} ```` or, without braces,
  ```` ```yaml title="hello.yaml" ````.
- A block of a file language (Python, YAML, TOML, JSON, INI, CSV, Markdown, plain text) whose `title` is a relative
  path is a file: every code example and transcript of the same page runs in a folder holding all of them.
- A `console` block is a transcript: `$ ` starts a command (a trailing `\\` continues it on the next line), the
  lines up to the next command are its expected output (stdout and stderr, in order). `...` in a line matches any
  text; a line that is only `...` matches any number of lines. Every command must exit 0: show a failing one as
  `$ agentcore ... || echo "exit code $?"`.
- `test="skip"` on a block: not run (only for what cannot run offline: a hosted provider, a terminal UI).
  `test="docker"`: runs only as a `docker`-marked test (it needs the real sandbox).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from textwrap import dedent

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / 'docs'
README = ROOT / 'README.md'

_FENCE = re.compile(r'^(?P<indent> *)(?P<ticks>`{3,})\s*(?P<info>.*)$')
_SETTING = re.compile(r'([\w-]+)=([\'"])(.*?)\2')
_FILE_LANGUAGES = {'py', 'python', 'yaml', 'yml', 'toml', 'json', 'ini', 'csv', 'md', 'markdown', 'text', 'txt'}

#: Where the docs tell readers their local OpenAI-compatible server listens; the tests serve a fake one there.
LOCAL_SERVER_URL = 'http://127.0.0.1:8080/v1'


@dataclass(frozen=True)
class Block:
    """One fenced code block of a Markdown file."""

    path: Path
    line: int
    language: str
    settings: dict[str, str]
    source: str

    @property
    def file_name(self) -> str | None:
        """The relative path this block is written to, when it is a file (see the module docstring)."""
        title = self.settings.get('title')
        if self.language not in _FILE_LANGUAGES or not title or ' ' in title:
            return None
        if title.startswith('/') or '..' in Path(title).parts:
            raise ValueError(f'{self}: a file title must be a relative path inside the page folder: {title!r}')
        return title

    def __str__(self) -> str:
        return f'{self.path.relative_to(ROOT)}:{self.line}'


def markdown_files() -> list[Path]:
    """README.md and every Markdown page under docs/, in a stable order."""
    return [README, *sorted(DOCS.rglob('*.md'))]


def blocks(path: Path) -> list[Block]:
    """The fenced code blocks of `path`, in order.

    Raises:
        ValueError: a fence is never closed.
    """
    lines = path.read_text(encoding='utf-8').splitlines()
    out: list[Block] = []
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if m is None:
            i += 1
            continue
        indent, ticks, info = m['indent'], m['ticks'], m['info'].strip()
        end = i + 1
        while end < len(lines) and lines[end].strip() != ticks:
            end += 1
        if end == len(lines):
            raise ValueError(f'{path}:{i + 1}: code fence is never closed')
        body = '\n'.join(line[len(indent) :] if line.startswith(indent) else line for line in lines[i + 1 : end])
        language = info.split()[0].lstrip('{.').rstrip('}').lower() if info else ''
        settings = {k: v for k, _, v in _SETTING.findall(info)}
        out.append(Block(path, i + 1, language, settings, dedent(body) + '\n'))
        i = end + 1
    return out


def page_files(path: Path) -> dict[str, str]:
    """The files the blocks of page `path` define: relative path -> content.

    Raises:
        ValueError: two blocks of the page define the same file.
    """
    files: dict[str, str] = {}
    for block in blocks(path):
        name = block.file_name
        if name is None:
            continue
        if name in files:
            raise ValueError(f'{block}: {name} is already defined on this page')
        files[name] = block.source
    return files


def write_page_files(path: Path, folder: Path) -> list[Path]:
    """Write the files of page `path` into `folder`; returns their paths."""
    written = []
    for name, text in page_files(path).items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding='utf-8')
        written.append(target)
    return written


@dataclass(frozen=True)
class Step:
    """One command of a console transcript and the output the docs show for it."""

    command: str
    expected: list[str]


def transcript(block: Block) -> list[Step]:
    """The commands of a `console` block with their expected output lines.

    Raises:
        ValueError: output before the first command.
    """
    steps: list[Step] = []
    lines = block.source.rstrip('\n').splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.startswith('$ '):
            if not steps:
                raise ValueError(f'{block}: a transcript starts with a `$ ` command line')
            steps[-1].expected.append(line.rstrip())
            i += 1
            continue
        command = line[2:]
        while command.endswith('\\') and i + 1 < len(lines):  # the shell joins the lines
            i += 1
            command += '\n' + lines[i]
        steps.append(Step(command, []))
        i += 1
    return steps


def output_matches(expected: list[str], actual: list[str]) -> bool:
    """Whether `actual` lines match `expected` (`...` wildcards as in the module docstring)."""
    if not expected:
        return not actual
    head, rest = expected[0], expected[1:]
    if head.strip() == '...':
        return any(output_matches(rest, actual[k:]) for k in range(len(actual) + 1))
    if not actual:
        return False
    pattern = '.*'.join(re.escape(part) for part in head.split('...'))
    return re.fullmatch(pattern, actual[0].rstrip()) is not None and output_matches(rest, actual[1:])
