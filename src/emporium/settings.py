"""The one Settings class. Every name is read from the environment with the EMPORIUM_ prefix."""

from __future__ import annotations

import secrets
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

VAR_DIR = Path("var")


class Settings(BaseSettings):
    """Runtime configuration; the names and defaults are part of the API contract."""

    model_config = SettingsConfigDict(env_prefix="EMPORIUM_", env_file=".env", extra="ignore")

    database_url: str = f"sqlite+aiosqlite:///{VAR_DIR}/emporium.db"
    redis_url: str | None = None
    secret_key: str = ""
    reservation_ttl_seconds: int = Field(900, ge=1)
    payment_timeout_seconds: int = Field(900, ge=1)
    escrow_hold_seconds: int = Field(604800, ge=0)
    commission_rate: Decimal = Field(Decimal("0.10"), ge=0, le=1)
    webhook_secret: str = "whsec_emporium_sandbox"
    dispatcher: Literal["inline", "off"] = "inline"
    login_rate_limit: str = "5/minute"
    default_country: str = "DE"
    default_currency: str = "EUR"

    # Beyond the contract: operational knobs with safe defaults.
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    log_level: str = "INFO"
    log_json: bool = True
    access_token_ttl_seconds: int = Field(900, ge=30)
    refresh_token_ttl_seconds: int = Field(30 * 24 * 3600, ge=60)
    media_dir: Path = VAR_DIR / "media"
    # S3-compatible object storage for media (used when a bucket is set); credentials come
    # from the usual AWS environment variables or instance role.
    media_s3_bucket: str | None = None
    media_s3_endpoint_url: str | None = None
    media_s3_region: str = "eu-central-1"
    media_public_base_url: str | None = None
    search_engine: Literal["auto", "embedded", "postgres"] = "auto"
    search_index_dir: Path = VAR_DIR / "search-index"
    max_body_bytes: int = 1024 * 1024
    dispatcher_poll_seconds: float = Field(1.0, gt=0)
    dispatcher_max_attempts: int = Field(5, ge=1)
    dispatcher_retry_base_seconds: float = Field(1.0, gt=0)
    job_lease_seconds: int = Field(60, ge=1)
    idempotency_lock_seconds: int = Field(60, ge=1)
    # argon2id work factor (argon2-cffi's RFC 9106 low-memory profile); tests may lower it.
    password_hash_time_cost: int = Field(3, ge=1)
    password_hash_memory_kib: int = Field(65536, ge=1024)
    db_pool_size: int = Field(10, ge=1)
    # How long a request waits for a free connection before it is answered 503.
    db_pool_timeout_seconds: float = Field(30.0, gt=0)
    # Payments and shipping: which gateway, how long to wait for it, when to stop calling it.
    payment_gateway: Literal["sandbox"] = "sandbox"
    gateway_timeout_seconds: float = Field(10.0, gt=0)
    gateway_retry_attempts: int = Field(3, ge=1)
    gateway_retry_base_seconds: float = Field(0.2, ge=0)
    circuit_failure_threshold: int = Field(5, ge=1)
    circuit_reset_seconds: float = Field(30.0, gt=0)
    # Where this shop is reachable: the sandboxes deliver their webhooks there.
    public_url: str = "http://127.0.0.1:8000"
    carrier_webhook_secret: str | None = None
    # The sandbox gateway's and carrier's own pages (finish 3-D Secure, advance tracking).
    sandbox_endpoints: bool = True
    sql_echo: bool = False

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("default_country")
    @classmethod
    def _upper_country(cls, value: str) -> str:
        return value.upper()

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def resolved_carrier_webhook_secret(self) -> str:
        """The carriers' webhook secret: its own setting, else the payment webhook secret."""
        return self.carrier_webhook_secret or self.webhook_secret

    def resolved_secret_key(self) -> str:
        """The signing secret: the setting, else one generated once and kept under ./var/."""
        if self.secret_key:
            return self.secret_key
        path = VAR_DIR / "secret.key"
        if path.exists():
            return path.read_text().strip()
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        path.write_text(key)
        path.chmod(0o600)
        return key
