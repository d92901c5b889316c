"""The project's error tree: every failure a user can cause or fix is a GeoError with a one-line message."""


class GeoError(Exception):
    """Base of every error the CLI and the dashboard turn into one clear line."""


class ConfigError(GeoError):
    """A setting has an invalid value; the message names the setting."""


class ModelNotInstalled(GeoError):
    """No spaCy English model can be loaded."""


class ArticleError(GeoError):
    """One input file could not be read as an article (empty, binary, too large, ...)."""

    def __init__(self, path: str, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class GazetteerError(GeoError):
    """The gazetteer index or its source data is missing or unusable."""


class CorpusError(GeoError):
    """No article of the corpus could be read, or a corpus limit was exceeded."""


class ResultsError(GeoError):
    """Saved results (Parquet) are missing, damaged or written by an older version."""
