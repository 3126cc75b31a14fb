"""What ``allyship serve`` was asked for, passed to every uvicorn worker process.

Workers are separate processes that import the app by name, so the settings
travel as JSON in one environment variable; the API key itself never does:
only the name of the variable that holds it.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field

from analyzer.errors import AnalyzerError

SETTINGS_ENV = "ALLYSHIP_SERVE_SETTINGS"


@dataclass(frozen=True)
class ServeSettings:
    """The analyzer options of the CLI plus the service's own limits."""

    lexicons: list[str] = field(default_factory=list)
    model: str | None = "default"
    threshold: float = 0.5
    trusted_lexicons: bool = False
    api_key_env: str | None = None
    max_texts: int = 256  # texts in one request
    max_chars: int = 100_000  # characters in one text
    max_body_bytes: int = 10_000_000  # bytes in one request body

    def to_env(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_env(cls) -> ServeSettings:
        raw = os.environ.get(SETTINGS_ENV)
        return cls(**json.loads(raw)) if raw else cls()

    def api_key(self) -> str | None:
        """The key clients must send, read from the named environment variable (``None``: no key needed)."""
        if self.api_key_env is None:
            return None
        key = os.environ.get(self.api_key_env, "")
        if not key.strip():
            raise AnalyzerError(f"--api-key-env {self.api_key_env}: that environment variable is not set or empty")
        return key
