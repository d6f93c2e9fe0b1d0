"""One settings object: `AGENTCORE_*` environment variables, then an optional `agentcore.toml`, then defaults."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field, ValidationError
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from ._errors import AgentcoreError


class ConfigError(AgentcoreError, ValueError):
    """The configuration (environment or `agentcore.toml`) is invalid."""

    usage_error = True


def _toml_file() -> Path | None:
    explicit = os.environ.get('AGENTCORE_CONFIG')
    if explicit:
        return Path(explicit)
    for candidate in (Path('agentcore.toml'), _default_home() / 'agentcore.toml'):
        if candidate.is_file():
            return candidate
    return None


def _default_home() -> Path:
    return Path(os.environ.get('AGENTCORE_HOME') or Path.home() / '.agentcore')


class Settings(BaseSettings):
    """agentcore's configuration.

    Environment variables are the field names upper-cased with the `AGENTCORE_` prefix (`AGENTCORE_MODEL`...).
    """

    model_config = SettingsConfigDict(env_prefix='AGENTCORE_', extra='forbid')

    home: Path = Field(default_factory=_default_home, description='Data directory (run store, checkpoints, memory).')
    model: str | None = Field(default=None, description='Default model: a litellm model id or `scripted:PATH`.')
    api_base: str | None = Field(default=None, description='Base URL of an OpenAI-compatible server (vLLM, Ollama...).')
    api_key: str | None = Field(default=None, description='API key passed to litellm (else the provider env var).')
    model_timeout_s: float = Field(default=120.0, gt=0)
    model_retries: int = Field(default=2, ge=0)
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
        origin = f'AGENTCORE_{where.upper()} or {source}' if source else f'AGENTCORE_{where.upper()}'
        raise ConfigError(f'invalid setting {where!r} ({origin}): {err["msg"]}') from None
    except (OSError, ValueError) as exc:
        raise ConfigError(f'cannot read configuration: {exc}') from None
