"""The exceptions `scoring` raises."""


class ScoringError(Exception):
    """Base class for errors raised by the scoring package."""


class ModelIntegrityError(ScoringError):
    """The speech model on disk is missing, incomplete or does not match its pinned hash."""


class TranscriptionClosed(ScoringError):
    """Audio was pushed to, or a result asked of, a transcription that has been closed."""


class SchedulerOverloaded(ScoringError):
    """The transcription queue is full; the request was dropped and counted."""
