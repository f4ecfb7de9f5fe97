"""The exceptions `media` raises."""


class MediaError(Exception):
    """Base class for errors raised by the media package."""


class InvalidOffer(MediaError):
    """The remote SDP offer could not be parsed or negotiated."""
