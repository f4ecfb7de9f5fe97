"""Per-connection WebRTC media: peer lifecycle and the taps that consume every remote track.

`media` knows nothing of interviews or transcription: it hands 16 kHz mono PCM to whatever
callable `signaling` gives it.
"""

from .chunked import ChunkKeys, open_chunk, open_header, seal_chunk
from .errors import (
    IntegrityError,
    InvalidOffer,
    MasterKeyError,
    MediaError,
    OutOfRangeError,
    TruncatedError,
    VaultError,
)
from .keys import (
    MasterKey,
    MasterKeyring,
    WrappedKey,
    delete_master_key,
    load_master_keys,
    new_data_key,
    rewrap_data_key,
    rotate_master_key,
    unwrap_data_key,
    wrap_data_key,
)
from .part_reader import PartReader
from .peer import PeerSession, PeerState
from .repair import RepairResult, repair_part
from .vault import PartInfo, PartWriter, recording_context, tmp_path_for

__all__ = [
    "InvalidOffer",
    "MediaError",
    "PeerSession",
    "PeerState",
    # recording encryption (vault)
    "ChunkKeys",
    "IntegrityError",
    "MasterKey",
    "MasterKeyError",
    "MasterKeyring",
    "OutOfRangeError",
    "PartInfo",
    "PartReader",
    "PartWriter",
    "RepairResult",
    "TruncatedError",
    "VaultError",
    "WrappedKey",
    "delete_master_key",
    "load_master_keys",
    "new_data_key",
    "open_chunk",
    "open_header",
    "recording_context",
    "repair_part",
    "rewrap_data_key",
    "rotate_master_key",
    "seal_chunk",
    "tmp_path_for",
    "unwrap_data_key",
    "wrap_data_key",
]
