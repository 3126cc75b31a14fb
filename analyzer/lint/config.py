"""Configuration of ``allyship check``: ``[tool.allyship]`` in ``pyproject.toml``, or ``.allyship.toml``.

Found like ruff finds its own: walking up from each checked file, the first
folder with a ``.allyship.toml`` (or a ``pyproject.toml`` that has a
``[tool.allyship]`` table) wins; ``--config FILE`` names one for every file.
Relative lexicon folders and exclude globs are read from the folder of the
file that sets them.
"""

from __future__ import annotations

import fnmatch
import tomllib
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from analyzer.errors import AnalyzerError

CONFIG_NAMES = (".allyship.toml", "pyproject.toml")


class _Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    disable: list[str] = []
    threshold: float | None = Field(default=None, ge=0.0, le=1.0)
    lexicons: list[str] = []
    exclude: list[str] = []


@dataclass(frozen=True)
class LintConfig:
    """What one configuration file asks for; ``root`` is its folder (``None``: no file, the defaults)."""

    disable: frozenset[str] = frozenset()
    threshold: float | None = None
    lexicons: tuple[Path, ...] = ()
    exclude: tuple[str, ...] = ()
    root: Path | None = None
    file: Path | None = None

    def excludes(self, path: Path) -> bool:
        """Whether ``path`` matches one of the exclude globs (relative to the config's folder)."""
        if not self.exclude or self.root is None:
            return False
        try:
            relative = path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return False
        parts = relative.split("/")
        for pattern in self.exclude:
            pattern = pattern.rstrip("/")
            if fnmatch.fnmatch(relative, pattern) or fnmatch.fnmatch(relative, f"{pattern}/*"):
                return True
            if "/" not in pattern and any(fnmatch.fnmatch(part, pattern) for part in parts):
                return True
        return False


DEFAULT_CONFIG = LintConfig()


def load_config(path: Path) -> LintConfig:
    """Read one configuration file; a malformed one is a one-line :class:`AnalyzerError`."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise AnalyzerError(f"{path}: cannot read the configuration: {exc.strerror or exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise AnalyzerError(f"{path}: not valid TOML: {exc}") from None
    table = raw.get("tool", {}).get("allyship", {}) if path.name == "pyproject.toml" else raw
    if path.name != "pyproject.toml" and "tool" in raw and "allyship" in raw["tool"]:
        table = raw["tool"]["allyship"]
    try:
        settings = _Settings.model_validate(table)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "allyship"
        raise AnalyzerError(f"{path}: '{where}': {first['msg']}") from None
    root = path.resolve().parent
    return LintConfig(
        disable=frozenset(settings.disable),
        threshold=settings.threshold,
        lexicons=tuple((root / d).resolve() for d in settings.lexicons),
        exclude=tuple(settings.exclude),
        root=root,
        file=path,
    )


class ConfigFinder:
    """Finds and caches the configuration that applies to each checked path."""

    def __init__(self, config_file: Path | None = None) -> None:
        self.fixed = load_config(config_file) if config_file is not None else None
        self._by_folder: dict[Path, LintConfig] = {}

    def for_path(self, path: Path | None) -> LintConfig:
        """The configuration for a file (``None``: standard input, searched from the working folder)."""
        if self.fixed is not None:
            return self.fixed
        folder = path.resolve().parent if path is not None else Path.cwd().resolve()
        return self._for_folder(folder)

    def _for_folder(self, folder: Path) -> LintConfig:
        if folder in self._by_folder:
            return self._by_folder[folder]
        found = DEFAULT_CONFIG
        for name in CONFIG_NAMES:
            candidate = folder / name
            if candidate.is_file() and (name != "pyproject.toml" or _has_allyship_table(candidate)):
                found = load_config(candidate)
                break
        else:
            if folder.parent != folder:
                found = self._for_folder(folder.parent)
        self._by_folder[folder] = found
        return found


def _has_allyship_table(path: Path) -> bool:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return False
    return isinstance(raw.get("tool"), dict) and "allyship" in raw["tool"]
