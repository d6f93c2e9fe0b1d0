"""`agentcore sandbox ...`: build the image, check the setup, clean up containers, run a command.

The `sandbox` package (and through it the docker SDK) is imported inside each command so that
`agentcore --help` stays fast. `SandboxError`s propagate to `agentcore.cli.main`, which prints them as one line
with their fix. Exit statuses are raised as `SystemExit` so they survive `standalone_mode=False`.
"""

from __future__ import annotations

import re
import sys
from types import TracebackType
from typing import TYPE_CHECKING, Any

import typer

from ._output import print_json, print_table, progress_console

if TYPE_CHECKING:
    from rich.console import Console

app = typer.Typer(no_args_is_help=True)

_DEFAULT_IMAGE = 'agentcore-sandbox:latest'
# Docker's reference grammar, simplified: [registry[:port]/]path[:tag][@digest], the path lowercase.
_PATH = r'[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*'
_REFERENCE = re.compile(
    rf'^(?:[a-zA-Z0-9](?:[a-zA-Z0-9.-]*[a-zA-Z0-9])?(?::[0-9]+)?/)?{_PATH}(?:/{_PATH})*'
    r'(?::[\w][\w.-]{0,127})?(?:@[a-z0-9]+:[a-f0-9]{32,})?$'
)
_STEP = re.compile(r'^Step (\d+)/(\d+) :')
_PHASES = {
    'pull': 'pulling the Debian base image (else: offline build)',
    'debootstrap': 'debootstrap: Debian packages into a root filesystem',
    'import': 'importing the root filesystem',
    'build': 'building the image',
}


def _image_ref(value: str, option: str) -> str:
    """`value` if it is a valid Docker image reference, else a usage error naming `option`."""
    if not _REFERENCE.match(value):
        message = f'{value!r} is not a valid image reference (lowercase name, optional :tag), e.g. {_DEFAULT_IMAGE}'
        raise typer.BadParameter(message, param_hint=option)
    return value


class _BuildProgress:
    """The phases of an image build as rich progress rows: spinner, phase, bar, time, latest build line.

    The bar is indeterminate except while building, where Docker's `Step N/M` lines fill it.
    """

    def __init__(self, console: Console) -> None:
        from rich.progress import BarColumn, Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn

        self._progress = Progress(
            SpinnerColumn(finished_text='[green]done'),
            TextColumn('{task.description}', markup=False),
            BarColumn(),
            TimeElapsedColumn(),
            TextColumn('{task.fields[line]}', markup=False, style='dim'),
            console=console,
        )
        self._task: TaskID | None = None

    def phase(self, name: str) -> None:
        """Finish the current phase and start `name`."""
        self._finish()
        self._task = self._progress.add_task(_PHASES.get(name, name), total=None, line='')

    def line(self, text: str) -> None:
        """Show the latest log line under the current phase (and advance the bar on a build step)."""
        if self._task is None:
            return
        step = _STEP.match(text)
        if step:
            self._progress.update(self._task, completed=int(step[1]) - 1, total=int(step[2]))
        self._progress.update(self._task, line=text if len(text) <= 60 else text[:57] + '...')

    def _finish(self) -> None:
        if self._task is not None:
            total = next(t.total for t in self._progress.tasks if t.id == self._task) or 1
            self._progress.update(self._task, total=total, completed=total, line='')

    def __enter__(self) -> _BuildProgress:
        self._progress.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if kind is None:
            self._finish()
        elif self._task is not None:
            self._progress.update(self._task, line='failed')
        self._progress.stop()


@app.command()
def build(
    tag: str = typer.Option(_DEFAULT_IMAGE, '--tag', help='Image tag to build.'),
    method: str = typer.Option(
        'auto', '--method', help='auto | dockerfile (needs a registry) | debootstrap (offline, needs root).'
    ),
    force: bool = typer.Option(False, '--force', help='Rebuild even if the image is current.'),
    mirror: str = typer.Option('http://deb.debian.org/debian', '--mirror', help='Debian mirror for debootstrap.'),
    suite: str = typer.Option('bookworm', '--suite', help='Debian suite for debootstrap.'),
    quiet: bool = typer.Option(False, '--quiet', '-q', help='Only print the result.'),
    as_json: bool = typer.Option(False, '--json', help='Print the result as JSON (and no progress).'),
) -> None:
    """Build the sandbox image (offline from Debian packages when no registry is reachable).

    On a terminal the phases show as a progress display on stderr; otherwise the build log goes there.
    """
    from agentcore.sandbox import build_image

    _image_ref(tag, '--tag')
    if method not in ('auto', 'dockerfile', 'debootstrap'):
        message = f'unknown method {method!r}; use auto, dockerfile or debootstrap'
        raise typer.BadParameter(message, param_hint='--method')
    options: dict[str, Any] = {'method': method, 'force': force, 'mirror': mirror, 'suite': suite}
    console = None if quiet or as_json else progress_console()
    if console is not None:
        with _BuildProgress(console) as shown:
            result = build_image(tag, log=shown.line, on_progress=shown.phase, **options)
    else:
        log = None if quiet or as_json else lambda line: typer.echo(f'  {line}', err=True)
        result = build_image(tag, log=log, **options)
    if as_json:
        print_json({'tag': result.tag, 'method': result.method, 'built': result.method != 'existing',
                    'image_id': result.image_id, 'base': result.base or None,
                    'duration_s': round(result.seconds, 3)})  # fmt: skip
    elif result.method == 'existing':
        typer.echo(f'{tag} is up to date ({result.image_id[7:19]}); use --force to rebuild')
    else:
        typer.echo(f'built {tag} ({result.image_id[7:19]}) by {result.method} in {result.seconds:.1f}s')


@app.command()
def doctor(
    image: str = typer.Option(_DEFAULT_IMAGE, '--image', help='Image to check.'),
    no_smoke: bool = typer.Option(False, '--no-smoke', help='Skip starting a test sandbox.'),
    as_json: bool = typer.Option(False, '--json', help='Print the checks as JSON.'),
) -> None:
    """Check the Docker engine, limits, image and a test sandbox; print the fix for anything missing.

    Exits 1 when a required check fails (optional ones are notes).
    """
    from agentcore.sandbox._doctor import run_checks

    checks = run_checks(_image_ref(image, '--image'), smoke=not no_smoke)
    failed = [c.name for c in checks if c.required and not c.ok]
    if as_json:
        print_json({'image': image, 'ok': not failed, 'checks': [
            {'name': c.name, 'ok': c.ok, 'required': c.required, 'detail': c.detail,
             'problem': None if c.ok else c.detail, 'fix': None if c.ok else c.fix}
            for c in checks]})  # fmt: skip
    else:
        rows = [(c.name, 'ok' if c.ok else ('FAIL' if c.required else 'note'), c.detail, '' if c.ok else c.fix or '')
                for c in checks]  # fmt: skip
        print_table(('check', 'status', 'detail', 'fix'), rows)
        typer.echo(f'failed: {", ".join(failed)}' if failed else 'all required checks passed')
    if failed:
        raise SystemExit(1)


@app.command()
def prune(
    all_: bool = typer.Option(False, '--all', help='Remove every agentcore sandbox container, not just orphans.'),
    dry_run: bool = typer.Option(False, '--dry-run', help='Only list what would be removed.'),
    as_json: bool = typer.Option(False, '--json', help='Print what was removed as JSON.'),
) -> None:
    """Remove sandbox containers left behind by agentcore processes that no longer exist."""
    from agentcore.sandbox import reap_orphans
    from agentcore.sandbox._engine import docker_client, engine_errors
    from agentcore.sandbox._lifecycle import LABEL

    client = docker_client()
    with engine_errors():  # details first: a removed container can no longer be described
        found = client.api.containers(all=True, filters={'label': f'{LABEL}=1'})
    known = {c['Id'][:12]: c for c in found}
    removed = [_container(cid, known.get(cid)) for cid in reap_orphans(client, everything=all_, dry_run=dry_run)]
    if as_json:
        print_json({'dry_run': dry_run, 'all': all_, 'removed': removed})
        return
    verb = 'would remove' if dry_run else 'removed'
    typer.echo(f'{verb} {len(removed)} container{"s" * (len(removed) != 1)}')
    if removed:
        print_table(
            ('container', 'name', 'image', 'state', 'owner pid', 'created'),
            [(c['id'], c['name'], c['image'], c['state'], c['owner_pid'], c['created']) for c in removed],
        )


def _container(short_id: str, info: dict[str, Any] | None) -> dict[str, str]:
    """What `prune` reports about one container (only its id when it was not seen in the listing)."""
    from agentcore.sandbox._lifecycle import LABEL

    info = info or {}
    labels = info.get('Labels') or {}
    names = info.get('Names') or ['']
    return {'id': short_id, 'name': str(names[0]).lstrip('/'), 'image': str(info.get('Image', '')),
            'state': str(info.get('State', '')), 'owner_pid': str(labels.get(f'{LABEL}.pid', '')),
            'created': str(labels.get(f'{LABEL}.created', ''))}  # fmt: skip


@app.command('exec')
def exec_(
    command: list[str] = typer.Argument(..., help='Command and arguments (use -- before options of the command).'),
    timeout: float = typer.Option(60.0, '--timeout', help='Seconds before every process of the command is killed.'),
    image: str = typer.Option(_DEFAULT_IMAGE, '--image', help='Sandbox image.'),
) -> None:
    """Run one command in a fresh, hardened sandbox and exit with its status."""
    from agentcore.sandbox import DockerSandbox, SandboxConfig

    with DockerSandbox(SandboxConfig(image=_image_ref(image, '--image'))) as sb:
        result = sb.exec(command[0] if len(command) == 1 else command, timeout_s=timeout)
    sys.stdout.write(result.stdout)
    sys.stderr.write(result.stderr)
    code = result.exit_code
    raise SystemExit(code if 0 <= code < 256 else 128 + (-code % 128))
