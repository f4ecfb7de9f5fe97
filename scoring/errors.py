"""The exceptions `scoring` raises."""


class ScoringError(Exception):
    """Base class for errors raised by the scoring package."""


class ModelIntegrityError(ScoringError):
    """The speech model on disk is missing, incomplete or does not match its pinned hash."""


class TranscriptionClosed(ScoringError):
    """Audio was pushed to, or a result asked of, a transcription that has been closed."""


class SchedulerOverloaded(ScoringError):
    """The transcription queue is full; the request was dropped and counted."""


class VadError(ScoringError):
    """The voice activity model could not be loaded, or a segmenter was fed after its end."""


class IncrementalError(ScoringError):
    """An incremental transcription was driven out of order (e.g. a window accepted that was not given)."""
