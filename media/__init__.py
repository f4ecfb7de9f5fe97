"""Per-connection WebRTC media: peer lifecycle and the taps that consume every remote track.

`media` knows nothing of interviews or transcription: it hands 16 kHz mono PCM to whatever
callable `signaling` gives it.
"""

from .errors import InvalidOffer, MediaError
from .peer import PeerSession, PeerState

__all__ = ["InvalidOffer", "MediaError", "PeerSession", "PeerState"]
