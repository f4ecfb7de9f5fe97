"""The exceptions `media` raises."""


class MediaError(Exception):
    """Base class for errors raised by the media package."""


class InvalidOffer(MediaError):
    """The remote SDP offer could not be parsed or negotiated."""


class VaultError(MediaError):
    """Recording encryption refused an operation: bad input, a closed part, a key that does not fit."""


class IntegrityError(VaultError):
    """A part or wrapped key failed authentication: tampered, wrong key, wrong context or wrong size."""


class TruncatedError(IntegrityError):
    """A part is shorter than its format or its recorded size requires."""


class OutOfRangeError(VaultError):
    """A read asked for bytes outside the part's plaintext."""


class MasterKeyError(VaultError):
    """The master key could not be created, loaded or found (missing, malformed, unsafe mode, unknown version)."""
