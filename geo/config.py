"""Settings in one table: name, default, help; layered defaults -> environment -> explicit arguments."""
from __future__ import annotations

import os
from dataclasses import MISSING, dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Callable

from .errors import ConfigError

PROJECT_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_DIR / "data"
ENV_PREFIX = "GEO_"


def _default_cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "geo-dashboard"


def _default_data_dir() -> Path:
    return Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share")) / "geo-dashboard"


@dataclass(frozen=True)
class Settings:
    """Every tunable of the pipeline; each field's metadata carries its help text."""

    max_file_bytes: int = field(default=5_000_000, metadata={"help": "Largest article file read, in bytes."})
    max_files: int = field(default=2_000, metadata={"help": "Most article files in one corpus."})
    max_corpus_bytes: int = field(default=200_000_000, metadata={"help": "Largest total corpus size, in bytes."})
    spacy_model: str = field(default="", metadata={"help": "spaCy model package to load; empty picks the best installed English model."})
    geocoder: str = field(default="gazetteer", metadata={"help": "Geocoder backend: gazetteer (offline) or a geopy geocoder name such as nominatim."})
    geocoder_url: str = field(default="", metadata={"help": "Base URL of the online geocoder (e.g. a self-hosted Nominatim); empty uses geopy's default host."})
    geocoder_scheme: str = field(default="https", metadata={"help": "http or https for the online geocoder."})
    user_agent: str = field(default="", metadata={"help": "User agent sent to online geocoders (required by Nominatim's usage policy)."})
    geocoder_timeout: float = field(default=5.0, metadata={"help": "Seconds before an online geocoder request is abandoned."})
    geocoder_min_delay: float = field(default=1.0, metadata={"help": "Minimum seconds between online geocoder requests (Nominatim allows 1/s)."})
    cache_dir: Path = field(default_factory=_default_cache_dir, metadata={"help": "Folder of generated files: gazetteer index, geocoder cache."})
    custom_gazetteer: Path = field(default=DATA_DIR / "gazetteer" / "custom.csv", metadata={"help": "CSV of your own gazetteer rows; they override every other source."})
    results_dir: str = field(default="", metadata={"help": "Folder of Parquet results (python -m geo analyze --parquet DIR) the dashboard can open without re-analysis."})
    data_dir: Path = field(default_factory=_default_data_dir, metadata={"help": "Folder of kept data: the workspaces database (SQLite) when database_url is empty. Not the cache folder."})
    database_url: str = field(default="", metadata={"help": "SQLAlchemy URL of the workspaces database, e.g. postgresql://user:pw@host/db for a team server; empty uses SQLite in data_dir."})
    editor_key: str = field(default="", metadata={"help": "Key that allows writing to workspaces (upload, rename, correct, delete); empty lets everyone who can reach the server write."})
    allow_private_urls: bool = field(default=False, metadata={"help": "Let 'articles by URL' fetch loopback, private and link-local addresses (intranets, tests)."})
    url_timeout: float = field(default=10.0, metadata={"help": "Seconds before fetching an article by URL is abandoned."})
    workers: int = field(default=1, metadata={"help": "Processes for spaCy's nlp.pipe."})
    batch_size: int = field(default=32, metadata={"help": "Texts per spaCy batch."})
    partition_size: int = field(default=50, metadata={"help": "Articles per Dask partition (python -m geo analyze --engine dask); bounds a worker's memory."})
    scheduler: str = field(default="", metadata={"help": "Dask scheduler address (tcp://HOST:PORT) for --engine dask; empty starts a local cluster of `workers` processes."})

    @property
    def gazetteer_path(self) -> Path:
        return self.cache_dir / "gazetteer.sqlite"

    @property
    def geocode_cache_path(self) -> Path:
        return self.cache_dir / "geocode-cache.sqlite"

    @property
    def workspace_url(self) -> str:
        """The workspaces database: database_url, else SQLite in data_dir."""
        return self.database_url or f"sqlite:///{self.data_dir / 'workspaces.sqlite'}"


def setting_help() -> list[tuple[str, str, str]]:
    """(name, default, help) for every setting, for --help texts and the README."""
    rows = []
    for f in fields(Settings):
        default = f.default if f.default_factory is MISSING else f.default_factory()
        rows.append((f.name, str(default), f.metadata.get("help", "")))
    return rows


TRUE_WORDS = ("true", "1", "yes")
FALSE_WORDS = ("false", "0", "no")


def _positive_int(raw: object) -> int:
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        raise ValueError
    value = int(raw)
    if value <= 0:
        raise ValueError
    return value


def _non_negative_float(raw: object) -> float:
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        raise ValueError
    value = float(raw)
    if value < 0:
        raise ValueError
    return value


def _boolean(raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    word = str(raw).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError


def _path(raw: object) -> Path:
    return Path(str(raw)).expanduser()


# Annotation of a Settings field -> (parser of an environment string or an explicit value, what the parser accepts).
PARSERS: dict[str, tuple[Callable[[object], object], str]] = {
    "int": (_positive_int, "a positive whole number"),
    "float": (_non_negative_float, "a number >= 0"),
    "bool": (_boolean, "one of " + "/".join(TRUE_WORDS + FALSE_WORDS)),
    "Path": (_path, "a path"),
    "str": (str, "text"),
}


def parse_setting(name: str, kind: str, raw: object) -> object:
    """The value of setting `name` (annotated `kind`) from `raw`; ConfigError naming the setting when invalid."""
    if kind not in PARSERS:
        raise ConfigError(f"setting {name} has type {kind}, which has no parser: add one to geo.config.PARSERS")
    parser, accepted = PARSERS[kind]
    try:
        return parser(raw)
    except (TypeError, ValueError):
        env = ENV_PREFIX + name.upper()
        raise ConfigError(f"setting {name} (environment {env}) has invalid value {raw!r}: expected {accepted}") from None


def load_settings(**overrides: object) -> Settings:
    """Defaults, then GEO_* environment variables, then explicit overrides (None means 'not given')."""
    values: dict[str, Any] = {}
    for f in fields(Settings):
        kind = f.type if isinstance(f.type, str) else f.type.__name__
        env = os.environ.get(ENV_PREFIX + f.name.upper())
        if env is not None and env != "":
            values[f.name] = parse_setting(f.name, kind, env)
        if overrides.get(f.name) is not None:
            values[f.name] = parse_setting(f.name, kind, overrides[f.name])
    unknown = set(overrides) - {f.name for f in fields(Settings)}
    if unknown:
        raise ConfigError(f"unknown setting(s): {', '.join(sorted(unknown))}")
    settings = replace(Settings(), **values)
    if settings.geocoder_scheme not in ("http", "https"):
        raise ConfigError("setting geocoder_scheme must be http or https")
    return settings
