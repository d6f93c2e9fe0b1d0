"""The `[mcp.servers.NAME]` tables of the settings: MCP servers a run can use (`agentcore run --mcp NAME`)."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import ErrorDetails, PydanticCustomError

#: What an MCP server may be named: letters, digits, `-` and single `_` (so `mcp__<server>__<tool>` parses back).
SERVER_NAME_RE = re.compile(r'^[A-Za-z0-9](?:[A-Za-z0-9-]|_(?!_))*$')
#: The longest server name (tool names are at most 64 characters in all).
MAX_SERVER_NAME = 32
SERVER_NAME_HINT = 'use up to 32 letters, digits, "-" or single "_", starting with a letter or digit'
#: The fix of any bad `mcp` setting without a more precise one.
MCP_HINT = (
    'a stdio server takes command (and args, env, cwd), a streamable HTTP server url (and headers); '
    'see "MCP servers" in README.md'
)
_BRACED_VAR = re.compile(r'\$\{([^}]+)\}')

__all__ = ['MCPServerConfig', 'MCPSettings', 'check_server', 'setting_hint']


def _error(kind: str, message: str, hint: str) -> PydanticCustomError:
    # The message travels in the context: a template would read braces in it as placeholders.
    return PydanticCustomError(kind, '{message}', {'message': message, 'hint': hint})


class MCPServerConfig(BaseModel):
    """One MCP server: a stdio server (`command`, `args`, `env`, `cwd`) or a streamable HTTP one (`url`, `headers`).

    In `env` and `headers`, `${VAR}` is replaced by the environment variable `VAR` when the server is started, so
    secrets stay out of `agentcore.toml`.
    """

    model_config = ConfigDict(extra='forbid', frozen=True)

    command: str | None = Field(default=None, description='The program that starts a stdio server.')
    args: list[str] = Field(default_factory=list, description='Its arguments.')
    env: dict[str, str] = Field(default_factory=dict, description='Extra environment variables for it.')
    cwd: Path | None = Field(default=None, description='Its working directory.')
    url: str | None = Field(default=None, description='The endpoint of a streamable HTTP server (http://.../mcp).')
    headers: dict[str, str] = Field(default_factory=dict, description='HTTP headers sent with each request.')

    @field_validator('command')
    @classmethod
    def _command(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise _error('mcp_command', 'the command is empty', 'give the program that starts the server, '
                         'e.g. command = "python3" with args = ["-m", "mcp_server_time"]')
        return value

    @field_validator('url')
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r'^https?://[^/\s]+', value):
            raise _error('mcp_url', f'{value!r} is not an http:// or https:// URL',
                         'give the server endpoint, e.g. url = "http://127.0.0.1:8000/mcp"')
        return value

    @model_validator(mode='after')
    def _one_transport(self) -> MCPServerConfig:
        if (self.command is None) == (self.url is None):
            both = self.command is not None
            raise _error(
                'mcp_transport',
                'has both command and url' if both else 'has neither command nor url',
                'give command (a stdio server) or url (a streamable HTTP server), not both' if both else MCP_HINT,
            )
        stdio_only = [k for k in ('args', 'env', 'cwd') if k in self.model_fields_set]
        if self.url is not None and stdio_only:
            raise _error('mcp_transport', f'{stdio_only[0]} is for stdio servers (with command), not with url',
                         f'remove {stdio_only[0]}, or start the server with command instead of url')
        if self.command is not None and 'headers' in self.model_fields_set:
            raise _error('mcp_transport', 'headers is for HTTP servers (with url), not with command',
                         'remove headers, or give the server url instead of command')
        return self

    @property
    def transport(self) -> Literal['stdio', 'streamable_http']:
        return 'stdio' if self.command is not None else 'streamable_http'

    def connection(self) -> dict[str, Any]:
        """The server as a `langchain-mcp-adapters` connection (what `load_mcp_tools` takes), `${VAR}`s expanded."""
        if self.command is not None:
            out: dict[str, Any] = {'transport': 'stdio', 'command': self.command, 'args': list(self.args)}
            if self.env:
                out['env'] = {k: _expand(v) for k, v in self.env.items()}
            if self.cwd is not None:
                out['cwd'] = str(self.cwd)
            return out
        out = {'transport': 'streamable_http', 'url': self.url}
        if self.headers:
            out['headers'] = {k: _expand(v) for k, v in self.headers.items()}
        return out


def _expand(value: str) -> str:
    """`${VAR}` replaced by the environment variable (left as it is when unset); a bare `$VAR` is not touched."""
    return _BRACED_VAR.sub(lambda m: os.environ.get(m.group(1), m.group(0)), value)


class MCPSettings(BaseModel):
    """The `mcp` settings: `[mcp.servers.NAME]` tables, or `AGENTCORE_MCP='{"servers": {...}}'`."""

    model_config = ConfigDict(extra='forbid', frozen=True)

    servers: dict[str, MCPServerConfig] = Field(default_factory=dict, description='MCP servers by name.')

    @field_validator('servers', mode='before')
    @classmethod
    def _names(cls, value: Any) -> Any:
        if isinstance(value, dict):
            for name in value:
                if not isinstance(name, str) or len(name) > MAX_SERVER_NAME or not SERVER_NAME_RE.match(name):
                    raise _error('mcp_server_name', f'invalid MCP server name {name!r}', SERVER_NAME_HINT)
        return value


def setting_hint(error: ErrorDetails) -> str | None:
    """The fix for one settings validation error: the one it carries, else a general one for `mcp` settings."""
    hint = (error.get('ctx') or {}).get('hint')
    if isinstance(hint, str):
        return hint
    return MCP_HINT if error['loc'][:1] == ('mcp',) else None


def check_server(name: str, server: MCPServerConfig) -> None:
    """Check that a stdio server can be started here: its command is found and its `cwd` is a folder.

    Raises:
        ConfigError: the command is not an executable (on `PATH` or as a path), or `cwd` is not a folder; the
            message names the setting (`mcp.servers.NAME.command`).
    """
    from ._settings import ConfigError

    command = server.command
    if command is not None and '/' in command and server.cwd is not None:
        command = str(server.cwd / command)  # a relative program path is looked up from the server's cwd
    if command is not None and shutil.which(command) is None:
        raise ConfigError(f"invalid setting 'mcp.servers.{name}.command': {server.command!r} is not an executable "
                          'program here', hint='install it, or give its full path')
    if server.cwd is not None and not server.cwd.is_dir():
        raise ConfigError(f"invalid setting 'mcp.servers.{name}.cwd': {str(server.cwd)!r} is not a folder",
                          hint='create the folder, or point cwd at an existing one')
