"""Rooms: a teacher's screen that a class follows, and the questions it is asked.

Pure Python (no Streamlit): :class:`Rooms` keeps rooms in a :class:`MemoryBackend`
(one process, the default) or a :class:`RedisBackend` (several replicas), chosen by
:func:`open_rooms` from one setting (``KMLAB_ROOMS``).
"""

from .backends import MemoryBackend, RedisBackend
from .store import (
    CODE_ALPHABET,
    CODE_LENGTH,
    MAX_ROOMS,
    MAX_STATE_BYTES,
    ROOM_TTL,
    Room,
    RoomError,
    Rooms,
    TooManyTries,
    normalise_code,
    open_rooms,
)

__all__ = [
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "MAX_ROOMS",
    "MAX_STATE_BYTES",
    "ROOM_TTL",
    "MemoryBackend",
    "RedisBackend",
    "Room",
    "RoomError",
    "Rooms",
    "TooManyTries",
    "normalise_code",
    "open_rooms",
]
