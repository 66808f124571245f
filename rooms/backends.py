"""Where rooms live: a few key-value operations, in this process or in Redis.

:class:`rooms.store.Rooms` is written once over these operations; each backend
gives them the same meaning (expiring keys, hashes, sets, counters, one channel
of change notices).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

CHANNEL = "kmlab:rooms"


class RoomError(ValueError):
    """A room operation that cannot be done (full, too big, wrong secret, store down)."""


class MemoryBackend:
    """Keys in a dict of this process (what Streamlit Community Cloud needs: one process
    serves every tab). Expired keys are dropped when read."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self._clock = clock
        self._lock = threading.RLock()
        self._data: dict[str, object] = {}
        self._expires: dict[str, float] = {}
        self._listeners: list[Callable[[str], None]] = []

    def _live(self, key: str):
        when = self._expires.get(key)
        if when is not None and when <= self._clock():
            self._data.pop(key, None)
            self._expires.pop(key, None)
        return self._data.get(key)

    def get(self, key: str) -> str | None:
        with self._lock:
            return self._live(key)

    def set(self, key: str, value: str, ttl: float) -> None:
        with self._lock:
            self._data[key] = value
            self._expires[key] = self._clock() + ttl

    def expire(self, key: str, ttl: float) -> None:
        with self._lock:
            if self._live(key) is not None:
                self._expires[key] = self._clock() + ttl

    def delete(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._data.pop(key, None)
                self._expires.pop(key, None)

    def hset(self, key: str, field: str, value: str) -> None:
        with self._lock:
            h = self._live(key)
            if h is None:
                h = self._data[key] = {}
            h[field] = str(value)

    def hdel(self, key: str, field: str) -> None:
        with self._lock:
            h = self._live(key)
            if h is not None:
                h.pop(field, None)

    def hincr(self, key: str, field: str, n: int = 1) -> int:
        with self._lock:
            h = self._live(key)
            if h is None:
                h = self._data[key] = {}
            h[field] = str(int(h.get(field, 0)) + n)
            return int(h[field])

    def hgetall(self, key: str) -> dict[str, str]:
        with self._lock:
            return dict(self._live(key) or {})

    def sadd(self, key: str, member: str) -> bool:
        with self._lock:
            s = self._live(key)
            if s is None:
                s = self._data[key] = set()
            if member in s:
                return False
            s.add(member)
            return True

    def incr(self, key: str, ttl: float) -> int:
        """Add one to a counter that expires ``ttl`` seconds after it was made."""
        with self._lock:
            value = int(self._live(key) or 0) + 1
            if value == 1:
                self._expires[key] = self._clock() + ttl
            self._data[key] = value
            return value

    def publish(self, message: str) -> None:
        for listener in list(self._listeners):
            listener(message)

    def subscribe(self, listener: Callable[[str], None]) -> None:
        self._listeners.append(listener)


def _wait_for_redis(exc, pubsub, thread) -> None:
    """Redis is unreachable: try again in a second (the subscription is made again when it
    is back), instead of ending the thread that tells this process about changes."""
    time.sleep(1.0)


class _Unreachable:
    """Any Redis or network error of a call becomes a RoomError that a page can show."""

    def __init__(self, client):
        self._client = client

    def __getattr__(self, name):
        import redis

        attr = getattr(self._client, name)
        if not callable(attr) or name in ("pubsub", "pipeline"):
            return attr

        def call(*args, **kwargs):
            try:
                return attr(*args, **kwargs)
            except (redis.RedisError, OSError) as exc:
                raise RoomError("the class's shared store cannot be reached just now") from exc

        return call


class RedisBackend:
    """Keys in a Redis server, shared by every replica behind the load balancer; change
    notices go through one Redis channel, read by one thread per process."""

    def __init__(self, url: str):
        import redis  # only deployments with several replicas need it

        client = redis.Redis.from_url(url, decode_responses=True, socket_timeout=5)
        self._redis = _Unreachable(client)
        self._redis.ping()
        self._listeners: list[Callable[[str], None]] = []
        self._thread = None

    def get(self, key: str) -> str | None:
        return self._redis.get(key)

    def set(self, key: str, value: str, ttl: float) -> None:
        self._redis.set(key, value, px=max(1, int(ttl * 1000)))

    def expire(self, key: str, ttl: float) -> None:
        self._redis.pexpire(key, max(1, int(ttl * 1000)))

    def delete(self, *keys: str) -> None:
        if keys:
            self._redis.delete(*keys)

    def hset(self, key: str, field: str, value: str) -> None:
        self._redis.hset(key, field, str(value))

    def hdel(self, key: str, field: str) -> None:
        self._redis.hdel(key, field)

    def hincr(self, key: str, field: str, n: int = 1) -> int:
        return int(self._redis.hincrby(key, field, n))

    def hgetall(self, key: str) -> dict[str, str]:
        return dict(self._redis.hgetall(key))

    def sadd(self, key: str, member: str) -> bool:
        return bool(self._redis.sadd(key, member))

    def incr(self, key: str, ttl: float) -> int:
        import redis

        try:
            pipe = self._redis.pipeline()
            pipe.set(key, 0, px=max(1, int(ttl * 1000)), nx=True)  # the expiry, once
            pipe.incr(key)
            return int(pipe.execute()[1])
        except (redis.RedisError, OSError) as exc:
            raise RoomError("the class's shared store cannot be reached just now") from exc

    def publish(self, message: str) -> None:
        self._redis.publish(CHANNEL, message)

    def subscribe(self, listener: Callable[[str], None]) -> None:
        self._listeners.append(listener)
        if self._thread is None:
            pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
            pubsub.subscribe(**{CHANNEL: self._deliver})
            # A blocking read with a timeout: the thread sleeps in the socket, not in a loop.
            self._thread = pubsub.run_in_thread(
                sleep_time=1.0, daemon=True, exception_handler=_wait_for_redis
            )

    def _deliver(self, message: dict) -> None:
        for listener in list(self._listeners):
            listener(message["data"])
