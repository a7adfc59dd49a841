"""Settings from HUSHDESK_* environment variables.

Outside dev mode the app refuses to start with the built-in development secret, so a production install
cannot silently run with a key that is public in our source code.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET = "dev-insecure-secret-change-me"  # noqa: S105 (refused outside dev)


class SettingsError(ValueError):
    """Raised when the configuration is unsafe or inconsistent."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HUSHDESK_", extra="ignore")

    env: Literal["dev", "test", "production"] = "production"
    data_dir: Path = Path("var")
    database_url: str = ""
    keyvault_url: str = ""
    secret_key: str = DEV_SECRET
    master_key_provider: Literal["file", "env"] = "file"
    master_key_file: Path | None = None
    master_key: str = ""  # base64, used when master_key_provider == "env"
    base_url: str = "http://127.0.0.1:8000"
    host: str = "127.0.0.1"
    port: int = 8000
    # Queue: "embedded" runs consumer threads inside `hushdesk serve` on a SQLite queue file;
    # "redis" lets several `hushdesk worker` processes share the work; "immediate" runs inline (tests).
    queue: Literal["embedded", "redis", "immediate"] = "embedded"
    redis_url: str = "redis://127.0.0.1:6379/0"
    worker_threads: int = Field(default=2, ge=1, le=64)
    max_request_bytes: int = Field(default=1_000_000, ge=1024)
    max_message_chars: int = Field(default=20_000, ge=100)
    # The two hot ingest API routes answered without FastAPI's routing layer on their happy path (ADR 0010).
    fast_ingest: bool = True
    max_attachment_bytes: int = Field(default=5_000_000, ge=1024)
    session_hours: int = Field(default=12, ge=1)
    trust_proxy_tls: bool = False
    login_max_failures: int = Field(default=5, ge=1)
    login_window_seconds: int = Field(default=900, ge=10)
    # Requests per minute per client address (the API: per token) on the public surfaces; 0 = no limit.
    rate_limit_login: int = Field(default=30, ge=0)
    rate_limit_privacy: int = Field(default=120, ge=0)
    rate_limit_widget: int = Field(default=1200, ge=0)
    rate_limit_api: int = Field(default=3000, ge=0)
    # Off by default in the test environment (test clients share one address); on everywhere else.
    rate_limit_enabled: bool | None = None
    # Where the counts live: "redis" (redis_url; shared by every process), "memory" (per process), "auto"
    # (redis when queue == "redis"). ADR 0009. The prefix separates deployments sharing one Redis.
    rate_limit_store: Literal["auto", "memory", "redis"] = "auto"
    rate_limit_key_prefix: str = Field(default="hushdesk:ratelimit:", min_length=1, max_length=100)
    password_hash_fast: bool = False  # tests only: argon2 with small parameters
    log_json: bool = False
    log_level: str = "INFO"
    # Outbound email (privacy-request codes and notices, optional messages). An empty host sends nothing
    # (in dev mode messages are written to <data_dir>/mail/ instead).
    smtp_host: str = ""
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_from: str = "hushdesk@localhost"
    smtp_starttls: bool = True
    smtp_timeout: float = Field(default=10.0, gt=0)
    # AI assistant (docs/assistant.md). Provider URLs on private/loopback networks are refused unless allowed.
    ai_allow_private_urls: bool = False
    ai_timeout_seconds: float = Field(default=30.0, gt=0, le=300)
    ai_max_retries: int = Field(default=1, ge=0, le=3)
    tts_engine: Literal["auto", "piper", "espeak", "off"] = "auto"
    espeak_binary: str = "espeak-ng"
    tts_max_chars: int = Field(default=5000, ge=100, le=100_000)

    @field_validator("database_url", "keyvault_url")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()

    @model_validator(mode="after")
    def _refuse_unsafe_defaults(self) -> Settings:
        if self.env == "production" and self.secret_key == DEV_SECRET:
            raise SettingsError(
                "HUSHDESK_SECRET_KEY is the built-in development secret; set a random value "
                "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`) or run with HUSHDESK_ENV=dev"
            )
        if len(self.secret_key) < 16:
            raise SettingsError("HUSHDESK_SECRET_KEY must be at least 16 characters")
        if self.password_hash_fast and self.env == "production":
            raise SettingsError("HUSHDESK_PASSWORD_HASH_FAST is for tests only")
        return self

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'hushdesk.db').as_posix()}"

    @property
    def resolved_keyvault_url(self) -> str:
        # The key vault lives apart from the data database so that database backups never hold the
        # keys that crypto-shredding destroys (ADR 0004).
        return self.keyvault_url or f"sqlite:///{(self.data_dir / 'keyvault.db').as_posix()}"

    @property
    def resolved_master_key_file(self) -> Path:
        return self.master_key_file or (self.data_dir / "master.key")

    @property
    def queue_file(self) -> Path:
        return self.data_dir / "queue.db"

    @property
    def log_dir(self) -> Path:
        return self.data_dir / "log"

    @property
    def rate_limits_on(self) -> bool:
        return self.rate_limit_enabled if self.rate_limit_enabled is not None else self.env != "test"

    @property
    def secure_cookies(self) -> bool:
        return self.base_url.startswith("https://") or self.trust_proxy_tls


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
