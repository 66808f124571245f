"""Rooms: create, follow, drive, ask, answer, reveal, end; bounded and expiring.

A room holds what its teacher's screen shows (a JSON state: page, settings, page
controls, player position), a version that grows with every change, the question
being asked, and the answers' counts. Only the session holding the room's secret
(made here, kept in the teacher's browser, never in the link) can change it.
Answers are counts per option; who answered is kept only as random session ids
for the question's life, so that each screen answers once.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from .backends import MemoryBackend, RedisBackend, RoomError

# 31 letters and digits that cannot be mistaken for one another (no 0/O, 1/I/L).
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 6  # 31**6 = 887 million codes
ROOM_TTL = 2 * 3600.0  # a room ends this long after its teacher was last seen
ENDED_TTL = 600.0  # an ended room is remembered this long, so its followers are told
FOLLOWER_TTL = 90.0  # a follower not seen for this long is not counted
MAX_ROOMS = 200
MAX_STATE_BYTES = 64 * 1024
MAX_OPTIONS = 64
# Wrong codes: per screen, and for the whole server, per minute.
MISSES_PER_CLIENT = 5
MISSES_PER_SERVER = 60


class TooManyTries(RoomError):
    """Too many wrong join codes in the last minute."""


@dataclass(frozen=True)
class Room:
    """What a screen in a room reads.

    Attributes
    ----------
    code : str
    version : int
        Grows with every change of the state or the question.
    state : dict
        The teacher's screen, as the teacher's page wrote it.
    question : dict or None
        ``{"id", "kind", "options", "prompt", ...}``; after the reveal also
        ``"right"`` (the right option) and ``"n_right"``.
    answers : dict of str to int
        Answers per option to the current question.
    followers : int
        Screens following the room now.
    ended : bool
    """

    code: str
    version: int
    state: dict
    question: dict | None
    answers: dict[str, int] = field(default_factory=dict)
    followers: int = 0
    ended: bool = False

    @property
    def n_answers(self) -> int:
        return sum(self.answers.values())


def normalise_code(text: str) -> str:
    """A typed join code as stored: upper case, spaces and dashes dropped."""
    return "".join(str(text).split()).replace("-", "").upper()[:16]


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class Rooms:
    """Every room of the app, in one backend.

    Parameters
    ----------
    backend : MemoryBackend or RedisBackend
    clock : callable, optional
        Wall-clock seconds (tests pass their own).
    """

    def __init__(self, backend, clock: Callable[[], float] = time.time):
        self.backend = backend
        self._clock = clock

    # ---- keys ----------------------------------------------------------------------
    @staticmethod
    def _key(code: str, part: str = "") -> str:
        return f"kmlab:room:{code}" + (f":{part}" if part else "")

    def _load(self, code: str) -> dict | None:
        raw = self.backend.get(self._key(code))
        return None if raw is None else json.loads(raw)

    def _save(self, code: str, room: dict, ttl: float = ROOM_TTL) -> None:
        text = json.dumps(room, separators=(",", ":"))
        if len(text) > MAX_STATE_BYTES:
            raise RoomError(f"what this screen shows is too big to share ({len(text):,} bytes)")
        self.backend.set(self._key(code), text, ttl)
        for part in ("f", "a", "who"):
            self.backend.expire(self._key(code, part), ttl)
        self.backend.publish(code)

    def _driving(self, code: str, secret: str) -> dict:
        room = self._load(code)
        if room is None or room.get("ended"):
            raise RoomError("this room has ended")
        if not hmac.compare_digest(room["secret"], _hash(secret)):
            raise RoomError("only the screen that started this room can change it")
        return room

    # ---- the teacher ---------------------------------------------------------------
    def create(self, state: dict) -> tuple[str, str]:
        """A new room showing ``state``; returns its join code and its secret."""
        index = "kmlab:rooms"
        now = self._clock()
        live = self.backend.hgetall(index)
        for code, seen in live.items():
            room = self._load(code)
            if room is None or room.get("ended") or now - float(seen) > ROOM_TTL:
                self.backend.hdel(index, code)
        if len(self.backend.hgetall(index)) >= MAX_ROOMS:
            raise RoomError(f"the lab already has {MAX_ROOMS} rooms open; try again when one ends")
        while True:
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            if self._load(code) is None:
                break
        secret = secrets.token_urlsafe(24)
        room = {"secret": _hash(secret), "version": 1, "state": state, "question": None}
        self._save(code, room)
        self.backend.hset(index, code, str(now))
        return code, secret

    def publish(self, code: str, secret: str, state: dict) -> int:
        """Show ``state`` to the room; returns the new version (the same if nothing changed)."""
        room = self._driving(code, secret)
        self.backend.hset("kmlab:rooms", code, str(self._clock()))
        if room["state"] == state:
            self.backend.expire(self._key(code), ROOM_TTL)
            return room["version"]
        room["state"] = state
        room["version"] += 1
        self._save(code, room)
        return room["version"]

    def ask(self, code: str, secret: str, question: dict) -> int:
        """Ask the room ``question`` (``options``: the answers a screen can give); the
        answers to the previous question are dropped. Returns the question's id."""
        room = self._driving(code, secret)
        options = [str(o) for o in question.get("options", ())]
        if not 2 <= len(options) <= MAX_OPTIONS:
            raise RoomError(f"a question needs 2 to {MAX_OPTIONS} answers to choose from")
        qid = room["asked"] = int(room.get("asked", 0)) + 1
        room["question"] = {**question, "options": options, "id": qid}
        room["version"] += 1
        self.backend.delete(self._key(code, "a"), self._key(code, "who"))
        self._save(code, room)
        return qid

    def reveal(self, code: str, secret: str, right: str, state: dict | None = None) -> int:
        """Show the right answer and how many gave it (and, with ``state``, the screen
        that shows it); returns the number of right answers."""
        room = self._driving(code, secret)
        q = room.get("question")
        if q is None:
            raise RoomError("no question has been asked")
        answers = self.backend.hgetall(self._key(code, "a"))
        q["right"] = str(right)
        q["n_right"] = int(answers.get(str(right), 0))
        q["n_answers"] = sum(int(v) for v in answers.values())
        if state is not None:
            room["state"] = state
        room["version"] += 1
        self._save(code, room)
        return q["n_right"]

    def close_question(self, code: str, secret: str) -> None:
        """Take the question (and its answers) off every screen."""
        room = self._driving(code, secret)
        if room.get("question") is not None:
            room["question"] = None
            room["version"] += 1
            self.backend.delete(self._key(code, "a"), self._key(code, "who"))
            self._save(code, room)

    def end(self, code: str, secret: str) -> None:
        """End the room: its followers are told, and keep what they see."""
        room = self._driving(code, secret)
        room["ended"] = True
        room["version"] += 1
        self.backend.delete(self._key(code, "a"), self._key(code, "who"), self._key(code, "f"))
        self.backend.hdel("kmlab:rooms", code)
        self._save(code, room, ENDED_TTL)

    def drives(self, code: str, secret: str) -> bool:
        """Whether ``secret`` drives the room ``code`` (a teacher's reload)."""
        try:
            self._driving(code, secret)
        except RoomError:
            return False
        return True

    # ---- the class -----------------------------------------------------------------
    def get(self, code: str) -> Room | None:
        """The room as its screens see it, or None when there is no such room."""
        room = self._load(code)
        if room is None:
            return None
        now = self._clock()
        seen = self.backend.hgetall(self._key(code, "f"))
        followers = sum(1 for t in seen.values() if now - float(t) <= FOLLOWER_TTL)
        answers = {k: int(v) for k, v in self.backend.hgetall(self._key(code, "a")).items()}
        return Room(
            code,
            int(room["version"]),
            room["state"],
            room.get("question"),
            answers,
            followers,
            bool(room.get("ended")),
        )

    def find(self, typed: str, client: str) -> Room:
        """The room a typed code names, for the screen ``client``.

        Raises
        ------
        TooManyTries
            After too many wrong codes in a minute (from this screen, or from all).
        RoomError
            No room has this code.
        """
        code = normalise_code(typed)
        minute = int(self._clock() // 60)
        for key, limit in (
            (f"kmlab:miss:{client}:{minute}", MISSES_PER_CLIENT),
            (f"kmlab:miss:*:{minute}", MISSES_PER_SERVER),
        ):
            if int(self.backend.get(key) or 0) >= limit:
                raise TooManyTries(
                    "too many wrong codes in the last minute; wait a minute and try again"
                )
        room = self.get(code) if len(code) == CODE_LENGTH else None
        if room is None or room.ended:
            self.backend.incr(f"kmlab:miss:{client}:{minute}", 120)
            self.backend.incr(f"kmlab:miss:*:{minute}", 120)
            shown = code if code and all(c in CODE_ALPHABET for c in code) else ""
            raise RoomError(
                f"no class is meeting with the code {shown}"
                if shown
                else f"a join code is {CODE_LENGTH} letters and digits, like {CODE_ALPHABET[20:26]}"
            )
        return room

    def follow(self, code: str, follower: str) -> None:
        """Count ``follower`` in the room (call again to stay counted)."""
        first = follower not in self.backend.hgetall(self._key(code, "f"))
        self.backend.hset(self._key(code, "f"), follower, str(self._clock()))
        self.backend.expire(self._key(code, "f"), ROOM_TTL)
        if first:
            self.backend.publish(code)

    def leave(self, code: str, follower: str) -> None:
        """Stop counting ``follower``."""
        if follower in self.backend.hgetall(self._key(code, "f")):
            self.backend.hdel(self._key(code, "f"), follower)
            self.backend.publish(code)

    def answer(self, code: str, follower: str, question_id: int, option: str) -> bool:
        """Count one answer; False when it is not counted (not the current question, an
        option it does not offer, already revealed, or this screen already answered)."""
        room = self._load(code)
        q = (room or {}).get("question")
        if not q or q["id"] != question_id or "right" in q or str(option) not in q["options"]:
            return False
        if not self.backend.sadd(self._key(code, "who"), follower):
            return False
        self.backend.hincr(self._key(code, "a"), str(option))
        self.backend.publish(code)
        return True

    def listen(self, listener: Callable[[str], None]) -> None:
        """Call ``listener(code)`` (on any thread) whenever a room changes."""
        self.backend.subscribe(listener)


def open_rooms(url: str | None = None) -> Rooms:
    """The rooms of this deployment: ``KMLAB_ROOMS`` (or ``url``) ``redis://...`` for
    rooms shared by replicas; unset, rooms live in this process."""
    url = url if url is not None else os.environ.get("KMLAB_ROOMS", "")
    if url.startswith(("redis://", "rediss://", "unix://")):
        return Rooms(RedisBackend(url))
    if url:
        raise RoomError(f"KMLAB_ROOMS must be a redis:// address or unset; got {url[:40]!r}")
    return Rooms(MemoryBackend())
