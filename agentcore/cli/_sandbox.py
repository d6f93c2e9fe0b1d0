"""`agentcore sandbox ...`: build the image, check the setup, clean up containers, run a command.

The `sandbox` package (and through it the docker SDK) is imported inside each command so that
`agentcore --help` stays fast. `SandboxError`s propagate to `agentcore.cli.main`, which prints them as one line
with their fix. Exit statuses are raised as `SystemExit` so they survive `standalone_mode=False`.
"""

from __future__ import annotations

import sys

import typer

app = typer.Typer(no_args_is_help=True)

_DEFAULT_IMAGE = 'agentcore-sandbox:latest'


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
) -> None:
    """Build the sandbox image (offline from Debian packages when no registry is reachable)."""
    from sandbox import build_image

    if method not in ('auto', 'dockerfile', 'debootstrap'):
        message = f'unknown method {method!r}; use auto, dockerfile or debootstrap'
        raise typer.BadParameter(message, param_hint='--method')
    result = build_image(
        tag, method=method, force=force, mirror=mirror, suite=suite,  # type: ignore[arg-type]
        log=None if quiet else lambda line: typer.echo(f'  {line}', err=True),
    )  # fmt: skip
    if result.method == 'existing':
        typer.echo(f'{tag} is up to date ({result.image_id[7:19]}); use --force to rebuild')
    else:
        typer.echo(f'built {tag} ({result.image_id[7:19]}) by {result.method} in {result.seconds:.1f}s')


@app.command()
def doctor(
    image: str = typer.Option(_DEFAULT_IMAGE, '--image', help='Image to check.'),
    no_smoke: bool = typer.Option(False, '--no-smoke', help='Skip starting a test sandbox.'),
) -> None:
    """Check the Docker engine, limits, image and a test sandbox; print the fix for anything missing."""
    from sandbox._doctor import run_checks

    checks = run_checks(image, smoke=not no_smoke)
    for check in checks:
        status = 'ok' if check.ok else ('FAIL' if check.required else 'note')
        line = f'{status:<5} {check.name:<14} {check.detail}'
        if check.fix and not check.ok:
            line += f'\n      fix: {check.fix}'
        typer.echo(line)
    if any(c.required and not c.ok for c in checks):
        raise SystemExit(1)


@app.command()
def prune(
    all_: bool = typer.Option(False, '--all', help='Remove every agentcore sandbox container, not just orphans.'),
    dry_run: bool = typer.Option(False, '--dry-run', help='Only list what would be removed.'),
) -> None:
    """Remove sandbox containers left behind by agentcore processes that no longer exist."""
    from sandbox import reap_orphans
    from sandbox._engine import docker_client

    removed = reap_orphans(docker_client(), everything=all_, dry_run=dry_run)
    verb = 'would remove' if dry_run else 'removed'
    typer.echo(f'{verb} {len(removed)} container(s)' + (f': {" ".join(removed)}' if removed else ''))


@app.command('exec')
def exec_(
    command: list[str] = typer.Argument(..., help='Command and arguments (use -- before options of the command).'),
    timeout: float = typer.Option(60.0, '--timeout', help='Seconds before every process of the command is killed.'),
    image: str = typer.Option(_DEFAULT_IMAGE, '--image', help='Sandbox image.'),
) -> None:
    """Run one command in a fresh, hardened sandbox and exit with its status."""
    from sandbox import DockerSandbox, SandboxConfig

    with DockerSandbox(SandboxConfig(image=image)) as sb:
        result = sb.exec(command[0] if len(command) == 1 else command, timeout_s=timeout)
    sys.stdout.write(result.stdout)
    sys.stderr.write(result.stderr)
    code = result.exit_code
    raise SystemExit(code if 0 <= code < 256 else 128 + (-code % 128))
