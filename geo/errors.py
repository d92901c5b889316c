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


class WorkspaceError(GeoError):
    """A workspace is missing, over its quota, or its stored data is unusable."""


class EditorKeyError(WorkspaceError):
    """A write to a workspace without the editor key."""


class ConflictError(WorkspaceError):
    """A write based on a workspace state that another editor has changed meanwhile."""


class FetchError(GeoError):
    """An article URL was refused or could not be fetched."""


# Longest exception message kept in a one-line failure reason (spaCy's messages can run to paragraphs).
REASON_CHARS = 200


def failure_reason(exc: BaseException, what: str = "could not be analysed") -> str:
    """One line for an unexpected failure: what failed, the exception's type and the first line of its message."""
    first = next((line.strip() for line in str(exc).splitlines() if line.strip()), "")
    if len(first) > REASON_CHARS:
        first = first[: REASON_CHARS - 1] + "…"
    return f"{what} ({type(exc).__name__}{': ' + first if first else ''})"
