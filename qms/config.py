"""Settings from QMS_* environment variables, with embedded defaults."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import overload

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@overload
def _env(name: str, default: str) -> str: ...
@overload
def _env(name: str, default: None = None) -> str | None: ...
def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(f"QMS_{name}")
    return value if value not in (None, "") else default


def _env_bool(name: str, default: bool) -> bool:
    value = _env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    value = _env(name)
    return int(value) if value is not None else default


def default_timezone() -> str:
    """QMS_TIMEZONE, as the app reads it; also what dates mean outside an app context."""
    return _env("TIMEZONE", "America/Bogota") or "UTC"


def load_secret_key(instance_path: Path) -> str:
    """Return the key kept in the instance folder, creating it once (safe with several workers)."""
    key_file = instance_path / "secret_key"
    instance_path.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return key_file.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_urlsafe(48))
        handle.flush()
        os.fsync(handle.fileno())
    return key_file.read_text().strip()


EMBEDDED_TICK_MINUTES = 15
# Where search entries live: a Whoosh index in a folder (embedded), or a PostgreSQL table.
SEARCH_BACKENDS = ("whoosh", "postgres")


class SettingsError(ValueError):
    """Settings the app cannot start with; the message names the variable and the fix."""


@dataclass
class Settings:
    """Everything the app reads from its environment; tests build one directly."""

    instance_path: Path = field(
        default_factory=lambda: Path(_env("INSTANCE_PATH", str(PROJECT_ROOT / "instance")))
    )
    database_url: str | None = field(default_factory=lambda: _env("DATABASE_URL"))
    store_path: Path | None = field(
        default_factory=lambda: Path(p) if (p := _env("STORE_PATH")) else None
    )
    search_index_path: Path | None = field(
        default_factory=lambda: Path(p) if (p := _env("SEARCH_INDEX_PATH")) else None
    )
    search_backend: str = field(
        default_factory=lambda: (_env("SEARCH_BACKEND", "whoosh") or "whoosh").strip().lower()
    )
    secret_key: str | None = field(default_factory=lambda: _env("SECRET_KEY"))
    default_locale: str = field(default_factory=lambda: _env("DEFAULT_LOCALE", "es") or "es")
    timezone: str = field(default_factory=lambda: default_timezone())
    max_upload_mb: int = field(default_factory=lambda: _env_int("MAX_UPLOAD_MB", 25))
    # Macro-enabled Office files (.docm, .xlsm...) are refused unless the organisation says so.
    upload_allow_macros: bool = field(
        default_factory=lambda: _env_bool("UPLOAD_ALLOW_MACROS", False)
    )
    session_hours: int = field(default_factory=lambda: _env_int("SESSION_HOURS", 8))
    login_max_failures: int = field(default_factory=lambda: _env_int("LOGIN_MAX_FAILURES", 5))
    login_window_minutes: int = field(default_factory=lambda: _env_int("LOGIN_WINDOW_MINUTES", 15))
    force_secure_cookies: bool = field(default_factory=lambda: _env_bool("SECURE_COOKIES", False))
    proxy_count: int = field(default_factory=lambda: _env_int("PROXY_COUNT", 0))
    sqlite_busy_timeout_ms: int = field(default_factory=lambda: _env_int("SQLITE_BUSY_MS", 15000))
    # Werkzeug's method string; tests lower the scrypt cost, production keeps the default.
    password_hash_method: str = field(
        default_factory=lambda: _env("PASSWORD_HASH_METHOD", "scrypt") or "scrypt"
    )
    # Where people reach the app: absolute links printed by commands (copy QR codes).
    base_url: str = field(default_factory=lambda: _env("BASE_URL", "http://127.0.0.1:8000") or "")
    # PDF rendering runs in a child process under these limits (a breach is a 503, not a hang);
    # well under the web worker's own timeout (60 s in scripts/demo.sh), so the child is
    # stopped and the worker answers before it is killed itself.
    render_timeout_s: int = field(default_factory=lambda: _env_int("RENDER_TIMEOUT_S", 20))
    render_memory_mb: int = field(default_factory=lambda: _env_int("RENDER_MEMORY_MB", 2048))
    # Render an approved version's base PDF on a worker thread once the approval commits.
    render_on_approval: bool = field(default_factory=lambda: _env_bool("RENDER_ON_APPROVAL", True))
    prerender_sizes: str = field(
        default_factory=lambda: _env("PRERENDER_SIZES", "A4,Letter") or "A4"
    )
    # Mail for reminders; no host, no mail (the bell still shows them).
    smtp_host: str = field(default_factory=lambda: _env("SMTP_HOST", "") or "")
    smtp_port: int = field(default_factory=lambda: _env_int("SMTP_PORT", 25))
    smtp_user: str = field(default_factory=lambda: _env("SMTP_USER", "") or "")
    smtp_password: str = field(default_factory=lambda: _env("SMTP_PASSWORD", "") or "")
    smtp_from: str = field(default_factory=lambda: _env("SMTP_FROM", "qms@localhost") or "")
    smtp_starttls: bool = field(default_factory=lambda: _env_bool("SMTP_STARTTLS", False))
    # Reminders go out this many days before a due date.
    reminder_days: int = field(default_factory=lambda: _env_int("REMINDER_DAYS", 3))
    # Internal audits: remind to send the plan this many days before the audit starts; the
    # report is overdue this many days after the audit ends.
    audit_plan_notice_days: int = field(
        default_factory=lambda: _env_int("AUDIT_PLAN_NOTICE_DAYS", 7)
    )
    audit_report_days: int = field(default_factory=lambda: _env_int("AUDIT_REPORT_DAYS", 5))
    # Run `qms tick` inside the app every N minutes (0: only from cron).
    # Run `qms tick` in each app process every N minutes; unset (-1): every 15 minutes on the
    # embedded SQLite setup (no cron needed), 0 elsewhere (a cron or systemd timer ticks).
    tick_interval_minutes: int = field(default_factory=lambda: _env_int("TICK_MINUTES", -1))
    testing: bool = False

    def resolved(self) -> Settings:
        """Fill the paths and the key that depend on the instance folder."""
        self.instance_path = Path(self.instance_path).resolve()
        self.instance_path.mkdir(parents=True, exist_ok=True)
        if not self.database_url:
            self.database_url = f"sqlite:///{self.instance_path / 'qms.sqlite3'}"
        self._check_search_backend(self.database_url)
        if self.tick_interval_minutes < 0:
            embedded = self.database_url.startswith("sqlite")
            self.tick_interval_minutes = EMBEDDED_TICK_MINUTES if embedded else 0
        if self.store_path is None:
            self.store_path = PROJECT_ROOT / "document_store"
        if self.search_index_path is None:
            self.search_index_path = self.instance_path / "search_index"
        if not self.secret_key:
            self.secret_key = load_secret_key(self.instance_path)
        return self

    def _check_search_backend(self, database_url: str) -> None:
        if self.search_backend not in SEARCH_BACKENDS:
            raise SettingsError(
                f"QMS_SEARCH_BACKEND={self.search_backend!r}:"
                f" use one of {', '.join(SEARCH_BACKENDS)}"
            )
        if self.search_backend == "postgres" and not database_url.startswith("postgresql"):
            raise SettingsError(
                "QMS_SEARCH_BACKEND=postgres needs a PostgreSQL database (QMS_DATABASE_URL is"
                f" {database_url.split(':', 1)[0]}); unset it to use the embedded Whoosh index"
            )

    def flask_config(self) -> dict[str, object]:
        from datetime import timedelta

        return {
            "SECRET_KEY": self.secret_key,
            "TESTING": self.testing,
            "QMS_PASSWORD_HASH_METHOD": self.password_hash_method,
            "MAX_CONTENT_LENGTH": self.max_upload_mb * 1024 * 1024,
            "QMS_UPLOAD_ALLOW_MACROS": self.upload_allow_macros,
            "PERMANENT_SESSION_LIFETIME": timedelta(hours=self.session_hours),
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "SESSION_COOKIE_NAME": "qms_session",
            "BABEL_DEFAULT_LOCALE": self.default_locale,
            "BABEL_DEFAULT_TIMEZONE": self.timezone,
            "WTF_CSRF_TIME_LIMIT": None,
            "WTF_CSRF_SSL_STRICT": True,
            "QMS_RENDER_TIMEOUT_S": self.render_timeout_s,
            "QMS_RENDER_MEMORY_MB": self.render_memory_mb,
        }
