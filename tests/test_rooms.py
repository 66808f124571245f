"""The room store: codes, secrets, bounds, expiry, answers; in memory and in a real Redis."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import time

import pytest

import rooms as R
from rooms import store as S


class Clock:
    def __init__(self):
        self.now = 1_000_000.0

    def __call__(self):
        return self.now


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def redis_server():
    """A real redis-server (Debian's package) on a free port, with no disk files; yields
    its address. Skips the test where it is not installed."""
    exe = shutil.which("redis-server")
    if exe is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    port = _free_port()
    proc = subprocess.Popen(
        [exe, "--port", str(port), "--save", "", "--appendonly", "no", "--bind", "127.0.0.1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    import redis

    client = redis.Redis(port=port)
    deadline = time.monotonic() + 20
    try:
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.fixture(scope="module")
def redis_url():
    with redis_server() as url:
        yield url


@pytest.fixture(params=["memory", "redis"])
def make(request):
    """A factory of Rooms on each back end, with a clock the test moves."""

    def build(clock=None):
        clock = clock or Clock()
        if request.param == "memory":
            return R.Rooms(R.MemoryBackend(clock), clock)
        url = request.getfixturevalue("redis_url")
        backend = R.RedisBackend(url)
        backend._redis.flushdb()
        return R.Rooms(backend, clock)

    return build


STATE = {"page": "Centroids", "query": {"k": "10"}}


def test_a_room_is_driven_only_by_its_secret(make):
    rooms = make()
    code, secret = rooms.create(STATE)
    assert len(code) == R.CODE_LENGTH and set(code) <= set(R.CODE_ALPHABET)
    assert rooms.publish(code, secret, {**STATE, "query": {"k": "11"}}) == 2
    assert rooms.publish(code, secret, {**STATE, "query": {"k": "11"}}) == 2  # unchanged
    with pytest.raises(R.RoomError, match="only the screen that started"):
        rooms.publish(code, "a follower's guess", STATE)
    with pytest.raises(R.RoomError):
        rooms.ask(code, secret[:-1] + "x", {"options": ["1", "2"]})
    assert rooms.get(code).state["query"] == {"k": "11"}
    assert rooms.drives(code, secret) and not rooms.drives(code, "nope")


def test_followers_answers_and_the_reveal(make):
    rooms = make()
    code, secret = rooms.create(STATE)
    for f in ("a", "b", "c"):
        rooms.follow(code, f)
    assert rooms.get(code).followers == 3
    qid = rooms.ask(code, secret, {"kind": "centroid", "options": ["1", "2", "3"]})
    assert rooms.answer(code, "a", qid, "2")
    assert not rooms.answer(code, "a", qid, "3"), "one answer per screen"
    assert not rooms.answer(code, "b", qid, "9"), "an option the question does not offer"
    assert not rooms.answer(code, "b", qid + 1, "1"), "not the current question"
    assert rooms.answer(code, "b", qid, "2") and rooms.answer(code, "c", qid, "1")
    assert rooms.get(code).answers == {"2": 2, "1": 1}
    assert rooms.reveal(code, secret, "2") == 2
    q = rooms.get(code).question
    assert (q["right"], q["n_right"], q["n_answers"]) == ("2", 2, 3)
    assert not rooms.answer(code, "d", qid, "2"), "no answers after the reveal"
    rooms.close_question(code, secret)
    qid2 = rooms.ask(code, secret, {"options": ["1", "2"]})
    assert qid2 == qid + 1 and rooms.get(code).answers == {}, "ids never repeat in a room"
    assert rooms.answer(code, "a", qid2, "1"), "a new question takes new answers"
    rooms.leave(code, "c")
    assert rooms.get(code).followers == 2


def test_rooms_expire_without_their_teacher_and_end_plainly(make):
    clock = Clock()
    rooms = make(clock)
    code, secret = rooms.create(STATE)
    rooms.follow(code, "a")
    clock.now += R.ROOM_TTL - 60
    rooms.publish(code, secret, STATE)  # the teacher is still there
    clock.now += S.FOLLOWER_TTL + 1
    assert rooms.get(code).followers == 0, "a follower not seen lately is not counted"
    rooms.end(code, secret)
    room = rooms.get(code)
    assert room.ended and room.state == STATE, "followers are told, and keep the state"
    with pytest.raises(R.RoomError, match="ended"):
        rooms.publish(code, secret, STATE)


def test_memory_rooms_expire_after_two_hours():
    clock = Clock()
    rooms = R.Rooms(R.MemoryBackend(clock), clock)
    code, _ = rooms.create(STATE)
    clock.now += R.ROOM_TTL + 1
    assert rooms.get(code) is None


def test_redis_rooms_expire(redis_url):
    backend = R.RedisBackend(redis_url)
    rooms = R.Rooms(backend)
    code, _ = rooms.create(STATE)
    ttl = backend._redis.pttl(f"kmlab:room:{code}") / 1000
    assert R.ROOM_TTL - 10 < ttl <= R.ROOM_TTL


def test_wrong_codes_are_refused_and_cannot_be_tried_fast(make):
    rooms = make()
    code, _ = rooms.create(STATE)
    assert rooms.find(code.lower(), "me").code == code
    assert rooms.find(f" {code[:3]}-{code[3:]} ", "me").code == code
    with pytest.raises(R.RoomError, match="no class is meeting with the code"):
        rooms.find("ZZZZZZ" if code != "ZZZZZZ" else "YYYYYY", "me")
    with pytest.raises(R.RoomError, match="6 letters and digits"):
        rooms.find("<b>hi", "me")
    for _ in range(S.MISSES_PER_CLIENT - 2):
        with pytest.raises(R.RoomError):
            rooms.find("222222", "me")
    with pytest.raises(R.TooManyTries):
        rooms.find(code, "me")
    assert rooms.find(code, "someone else").code == code


def test_rooms_are_bounded_in_number_and_size(make, monkeypatch):
    monkeypatch.setattr(S, "MAX_ROOMS", 3)
    rooms = make()
    made = [rooms.create(STATE) for _ in range(3)]
    with pytest.raises(R.RoomError, match="3 rooms open"):
        rooms.create(STATE)
    rooms.end(*made[0])
    rooms.create(STATE)  # an ended room frees its place
    code, secret = made[1]
    with pytest.raises(R.RoomError, match="too big"):
        rooms.publish(code, secret, {"page": "x", "query": {"k": "1" * R.MAX_STATE_BYTES}})
    with pytest.raises(R.RoomError, match="2 to"):
        rooms.ask(code, secret, {"options": [str(i) for i in range(S.MAX_OPTIONS + 1)]})


def test_changes_are_announced_across_processes_through_redis(redis_url):
    teacher_side = R.Rooms(R.RedisBackend(redis_url))
    student_side = R.Rooms(R.RedisBackend(redis_url))
    heard = []
    student_side.listen(heard.append)
    time.sleep(0.2)  # the subscription is made by the listener's thread
    code, secret = teacher_side.create(STATE)
    teacher_side.publish(code, secret, {**STATE, "query": {"k": "12"}})
    deadline = time.monotonic() + 10
    while heard.count(code) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert heard.count(code) >= 2
    assert student_side.get(code).state["query"] == {"k": "12"}


def test_open_rooms_reads_one_setting(redis_url):
    assert isinstance(R.open_rooms("").backend, R.MemoryBackend)
    assert isinstance(R.open_rooms(redis_url).backend, R.RedisBackend)
    with pytest.raises(R.RoomError, match="redis://"):
        R.open_rooms("postgres://x")


def test_a_store_that_cannot_be_reached_is_a_room_error_a_page_can_show():
    """No Redis where KMLAB_ROOMS points: a RoomError with the lab's words (pages show it and
    keep working), not a redis exception."""
    with pytest.raises(R.RoomError, match="cannot be reached"):
        R.open_rooms(f"redis://127.0.0.1:{_free_port()}/0")
