"""One settings object: `AGENTCORE_*` environment variables, then an optional `agentcore.toml`, then defaults."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from ._cost import ModelPrice
from ._errors import AgentcoreError
from ._mcp_settings import MCPSettings, setting_hint
from ._model_settings import ModelProfile, ModelSettings


class ConfigError(AgentcoreError, ValueError):
    """The configuration (environment or `agentcore.toml`) is invalid."""

    usage_error = True


def _toml_file() -> Path | None:
    """The TOML file to read: `AGENTCORE_CONFIG`, else `./agentcore.toml`, else `HOME/agentcore.toml`, else None.

    Raises:
        ConfigError: `AGENTCORE_CONFIG` names a file that does not exist or cannot be read.
    """
    explicit = os.environ.get('AGENTCORE_CONFIG')
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise ConfigError(f'AGENTCORE_CONFIG={explicit}: no such file',
                              hint='point AGENTCORE_CONFIG at an agentcore.toml, or unset it')
        try:
            path.open('rb').close()
        except OSError as exc:
            raise ConfigError(f'AGENTCORE_CONFIG={explicit}: cannot read the file ({exc.strerror})',
                              hint='make the file readable, or unset AGENTCORE_CONFIG') from None
        return path
    for candidate in (Path('agentcore.toml'), _default_home() / 'agentcore.toml'):
        if candidate.is_file():
            return candidate
    return None


def _default_home() -> Path:
    return Path(os.environ.get('AGENTCORE_HOME') or Path.home() / '.agentcore')


_SCHEME = re.compile(r'^([A-Za-z][A-Za-z0-9+.\-]*)://')


def _creatable(path: Path) -> None:
    """Check that `path` can be created as a directory (or is one), without creating anything.

    Raises:
        ValueError: an existing part of the path is a file, or the nearest existing directory is not writable.
    """
    probe = path.expanduser()
    while not probe.exists():
        if probe.parent == probe:
            return
        probe = probe.parent
    if not probe.is_dir():
        raise ValueError(f'cannot create {path}: {probe} is not a directory')
    if probe != path.expanduser() and not os.access(probe, os.W_OK | os.X_OK):
        raise ValueError(f'cannot create {path}: {probe} is not writable')


def _parent_creatable(path: Path) -> None:
    if path.expanduser().is_dir():
        raise ValueError(f'{path} is a directory, not a file')
    _creatable(path.expanduser().parent)


class Settings(BaseSettings):
    """agentcore's configuration.

    Environment variables are the field names upper-cased with the `AGENTCORE_` prefix (`AGENTCORE_MODEL`...).
    """

    model_config = SettingsConfigDict(env_prefix='AGENTCORE_', extra='forbid')

    home: Path = Field(default_factory=_default_home, description='Data directory (run store, checkpoints, memory).')
    model: str | None = Field(default=None, description='Default model: a litellm model id or `scripted:PATH`.')
    api_base: str | None = Field(default=None, description='Base URL of an OpenAI-compatible server (vLLM, Ollama...).')
    api_key: str | None = Field(default=None, description='API key passed to litellm (else the provider env var).')
    model_timeout_s: float = Field(default=120.0, gt=0, description='Bound on one model call, retries included.')
    model_retries: int = Field(default=2, ge=0, description='Further tries after a retryable model error.')
    tool_choice: str | None = Field(
        default=None, min_length=1, description='auto (default when tools are offered), required, none, or a tool.'
    )
    temperature: float | None = Field(default=None, ge=0, le=2, description='Sampling temperature.')
    seed: int | None = Field(default=None, description='Sampling seed, for providers that honour it.')
    max_tokens: int | None = Field(default=None, gt=0, description='Most tokens the model writes per turn.')
    extra_body: dict[str, Any] | None = Field(default=None, description='Extra JSON fields for each request body.')
    model_profile: ModelProfile | None = Field(
        default=None, description='Wire rules overriding the provider profile (see agentcore.ModelProfile).'
    )
    database_url: str | None = Field(default=None, description='Run store SQLAlchemy URL (default: SQLite in home).')
    checkpoint_url: str | None = Field(default=None, description='postgresql://... for PostgreSQL checkpoints.')
    weaviate_url: str | None = Field(default=None, description='Weaviate URL for memory (else the local store).')
    weaviate_grpc_port: int | None = Field(default=None, ge=1, le=65535, description='Weaviate gRPC port.')
    weaviate_api_key: str | None = Field(default=None, description='Weaviate API key (cloud clusters).')
    memory_embedder: str | None = Field(
        default=None, description='Embedder spec: hash[:DIM], litellm:MODEL:DIM or sentence-transformers[:DIR].'
    )
    policy: Path | None = Field(default=None, description='Policy file (YAML or TOML).')
    sandbox_image: str = Field(default='agentcore-sandbox:latest')
    prices: dict[str, ModelPrice] = Field(
        default_factory=dict,
        description='Prices of models litellm cannot price, by model id: [prices."MODEL"] input_per_mtok and '
        'output_per_mtok (USD per million tokens).',
    )
    mcp: MCPSettings = Field(default_factory=MCPSettings, description='MCP servers: [mcp.servers.NAME] tables.')

    @field_validator('home')
    @classmethod
    def _check_home(cls, value: Path) -> Path:
        _creatable(value)
        return value

    @field_validator('checkpoint_url')
    @classmethod
    def _check_checkpoint_url(cls, value: str | None) -> str | None:
        if value is None:
            return value
        scheme = _SCHEME.match(value)
        if scheme is None:  # a SQLite file
            _parent_creatable(Path(value))
        elif scheme.group(1).lower() not in ('postgres', 'postgresql'):
            raise ValueError(f'{value!r}: unknown scheme {scheme.group(1)!r}; use postgresql://USER@HOST/DB, or '
                             'the path of a SQLite file')
        return value

    @field_validator('database_url')
    @classmethod
    def _check_database_url(cls, value: str | None) -> str | None:
        if value is None:
            return value
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            url = make_url(value)
        except (ArgumentError, ValueError):
            raise ValueError(f'{value!r} is not a SQLAlchemy URL (e.g. sqlite:///PATH or '
                             'postgresql+psycopg://USER@HOST/DB)') from None
        if url.get_backend_name() == 'sqlite' and url.database not in (None, '', ':memory:'):
            _parent_creatable(Path(url.database))
        return value

    @field_validator('api_base', 'weaviate_url')
    @classmethod
    def _check_http_url(cls, value: str | None) -> str | None:
        if value is None or value == 'embedded' or value.startswith('embedded:'):
            return value
        scheme = _SCHEME.match(value)
        if scheme is None or scheme.group(1).lower() not in ('http', 'https'):
            raise ValueError(f'{value!r} is not an http:// or https:// URL')
        return value

    @field_validator('policy')
    @classmethod
    def _check_policy(cls, value: Path | None) -> Path | None:
        if value is not None and not value.expanduser().is_file():
            raise ValueError(f'{value}: no such file')
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        toml = _toml_file()
        if toml is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml))
        return tuple(sources)

    @property
    def model_settings(self) -> ModelSettings:
        """The request parameters these settings give every model call."""
        return ModelSettings(tool_choice=self.tool_choice, temperature=self.temperature, seed=self.seed,
                             max_tokens=self.max_tokens, extra_body=self.extra_body)

    @property
    def run_store_url(self) -> str:
        return self.database_url or f'sqlite:///{self.home / "runs.sqlite"}'

    @property
    def checkpoint_path(self) -> Path:
        return self.home / 'checkpoints.sqlite'


def load_settings(**overrides: object) -> Settings:
    """Read the settings.

    Raises:
        ConfigError: a variable or `agentcore.toml` entry is invalid (says which and why), or the TOML file is
            unreadable.
    """
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        err = exc.errors()[0]
        where = '.'.join(str(p) for p in err['loc']) or '?'
        source = _toml_file()
        variable = f'AGENTCORE_{str(err["loc"][0]).upper()}' if err['loc'] else 'AGENTCORE_*'  # nested: its table
        origin = f'{variable} or {source}' if source else variable
        msg = str(err['msg']).removeprefix('Value error, ')
        raise ConfigError(f'invalid setting {where!r} ({origin}): {msg}', hint=setting_hint(err)) from None
    except ConfigError:
        raise
    except (OSError, ValueError) as exc:
        source = _toml_file()
        raise ConfigError(f'cannot read configuration{f" file {source}" if source else ""}: {exc}') from None
