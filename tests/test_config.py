"""Settings: every annotated type parses from the environment and from arguments; bad values name the setting."""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path

import pytest

from geo import config
from geo.config import PARSERS, Settings, load_settings
from geo.errors import ConfigError


@dataclass(frozen=True)
class FlaggedSettings(Settings):
    """The real settings table plus one bool setting, as a future switch would be declared."""

    draw_outlines: bool = field(default=False, metadata={"help": "A switch."})


@pytest.fixture
def flagged(monkeypatch):
    monkeypatch.setattr(config, "Settings", FlaggedSettings)
    monkeypatch.delenv("GEO_DRAW_OUTLINES", raising=False)


def test_every_setting_type_has_a_parser():
    kinds = {f.type if isinstance(f.type, str) else f.type.__name__ for f in fields(Settings)}
    assert kinds <= set(PARSERS)


@pytest.mark.parametrize("raw, expected", [("true", True), ("1", True), ("yes", True), ("YES", True),
                                           ("false", False), ("0", False), ("no", False), (" No ", False)])
def test_bool_setting_from_the_environment(flagged, monkeypatch, raw, expected):
    monkeypatch.setenv("GEO_DRAW_OUTLINES", raw)
    assert load_settings().draw_outlines is expected


def test_bool_setting_default_and_explicit_argument(flagged, monkeypatch):
    assert load_settings().draw_outlines is False
    monkeypatch.setenv("GEO_DRAW_OUTLINES", "no")
    assert load_settings(draw_outlines=True).draw_outlines is True


@pytest.mark.parametrize("raw", ["maybe", "2", "on-ish"])
def test_invalid_bool_fails_naming_the_setting(flagged, monkeypatch, raw):
    monkeypatch.setenv("GEO_DRAW_OUTLINES", raw)
    with pytest.raises(ConfigError, match=r"setting draw_outlines \(environment GEO_DRAW_OUTLINES\) has invalid value .*true/1/yes/false/0/no"):
        load_settings()


def test_numbers_and_paths(monkeypatch, tmp_path):
    monkeypatch.setenv("GEO_MAX_FILES", "7")
    monkeypatch.setenv("GEO_GEOCODER_TIMEOUT", "0.5")
    s = load_settings(cache_dir=tmp_path)
    assert (s.max_files, s.geocoder_timeout, s.cache_dir) == (7, 0.5, Path(tmp_path))
    monkeypatch.setenv("GEO_MAX_FILES", "-3")
    with pytest.raises(ConfigError, match="setting max_files .*positive whole number"):
        load_settings()


def test_unknown_setting_is_refused():
    with pytest.raises(ConfigError, match="unknown setting.*colour"):
        load_settings(colour="red")
