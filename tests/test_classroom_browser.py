"""A class in real tabs: a teacher presents, two students follow, answer, and explore.

One `streamlit run` server, Debian's Chromium, one browser context per person (each has
their own cookies, as on their own devices). Waits are on conditions of the page.
"""

from __future__ import annotations

import io
import re

import pytest
from playwright.sync_api import expect

from tests.browser import CHROMIUM_ARGS, chromium_path, streamlit_server, wait_until_done

pytestmark = pytest.mark.skipif(chromium_path() is None, reason="Chromium not installed")

CODE = re.compile(r"code ([2-9A-HJKMNP-Z]{6})")


def player_pos(page) -> int:
    return int(page.locator(".player").first.get_attribute("data-pos"))


def wait_pos(page, pos: int) -> None:
    """Wait until the player (in its shadow root) stands at ``pos``."""
    expect(page.locator(".player").first).to_have_attribute("data-pos", str(pos), timeout=60_000)


def wait_address(page, pattern: str) -> None:
    """Wait until the tab's address (path and query) matches ``pattern`` (Streamlit changes it
    with the History API, which fires no navigation event)."""
    page.wait_for_function(
        "(p) => new RegExp(p).test(location.pathname + location.search)",
        arg=pattern,
        timeout=60_000,
    )


def start_room(teacher, url: str, look=None) -> str:
    """Present the Centroids page; returns the join code. ``look(dialog)`` may inspect the
    join dialog before it is closed."""
    teacher.goto(f"{url}/Centroids")
    wait_until_done(teacher)
    teacher.get_by_text("Teach a class").click()
    teacher.get_by_role("button", name="Present to the class").click()
    dialog = teacher.get_by_role("dialog")
    dialog.wait_for()
    code = dialog.locator(".kmlab-code").inner_text().strip()
    if look is not None:
        look(dialog)
    teacher.keyboard.press("Escape")
    teacher.get_by_text(f"code {code}").wait_for()
    return code


def test_the_join_code_scans_from_the_screen(people):
    """The QR code on the teacher's screen (1280 x 720), read back by a decoder from a
    screenshot, is the join link; it is drawn large enough for the back of a room."""
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image

    url, (teacher, student, _) = people
    seen = {}

    def look(dialog):
        qr = dialog.get_by_role("img").first
        expect(qr).to_be_visible()
        seen["box"] = qr.bounding_box()
        seen["png"] = teacher.screenshot()

    code = start_room(teacher, url, look)
    assert seen["box"]["width"] >= 400, seen["box"]
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(seen["png"])))
    links = [b.text for b in found]
    assert any(t.endswith(f"/?room={code}") for t in links), links
    student.goto(next(t for t in links if code in t).replace("http://localhost:8501", url))
    student.get_by_text("Following the teacher").wait_for(timeout=60_000)


@pytest.fixture
def people():
    from playwright.sync_api import sync_playwright

    with streamlit_server() as (url, _proc), sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        pages = []
        for _ in range(3):
            ctx = b.new_context(viewport={"width": 1280, "height": 720})
            pages.append(ctx.new_page())
        yield url, pages
        b.close()


def test_students_follow_the_teacher_and_answer_before_the_reveal(people):
    url, (teacher, s1, s2) = people
    code = start_room(teacher, url)
    for s in (s1, s2):
        s.goto(f"{url}/?room={code}")
        s.get_by_text("Following the teacher").wait_for(timeout=60_000)
        wait_address(s, r"/Centroids")
    teacher.get_by_text("2 students follow").wait_for(timeout=30_000)

    # The teacher steps: both followers stand where the teacher stands.
    wait_until_done(teacher)
    wait_pos(teacher, 0)
    for pos in (1, 2):
        teacher.locator(".player").get_by_role("button", name="Step forward").click()
        wait_pos(teacher, pos)
    for s in (s1, s2):
        wait_pos(s, 2)

    # A question at the start of iteration 2: answers arrive on the teacher's screen.
    teacher.get_by_role("button", name=re.compile("Ask the class")).click()
    for s in (s1, s2):
        s.get_by_text("Which centroid will this image join").wait_for(timeout=30_000)
        s.locator("[data-testid='stButtonGroup']").nth(1).locator("button").first.click()
        s.get_by_text("Wait for the teacher's reveal").wait_for(timeout=30_000)
    teacher.get_by_text("2 of 2 following answered").wait_for(timeout=30_000)
    teacher.get_by_role("button", name=re.compile("Reveal")).click()
    for s in (s1, s2, teacher):
        s.get_by_text(re.compile(r"It joins centroid \d+")).wait_for(timeout=30_000)
        wait_pos(s, 3)

    # A follower cannot drive: its own step does not move the teacher.
    s1.locator(".player").get_by_role("button", name="Step forward").click()
    wait_pos(s1, 4)
    assert player_pos(teacher) == 3

    # k changes on the teacher's screen: the followers' settings and links follow.
    teacher.get_by_role("button", name="Close the question").click()
    k_slider = teacher.locator('[data-testid="stSidebar"] input[aria-label="k (clusters)"]')
    k_slider.focus()
    k_slider.press("ArrowRight")
    for s in (s1, s2):
        wait_address(s, r"[?&]k=11")

    # "Explore on my own" keeps the state and stops following; "Back" follows again.
    s2.get_by_role("button", name="Explore on my own").click()
    s2.get_by_text("Exploring on your own").wait_for()
    teacher.get_by_text("1 student follows").wait_for(timeout=30_000)
    teacher.locator("[data-testid='stSidebar']").get_by_role("link", name="Elbow").click()
    wait_address(s1, r"/Elbow")
    assert s2.evaluate("location.pathname + location.search").count("k=11") == 1
    assert "/Centroids" in s2.evaluate("location.pathname")
    s2.get_by_role("button", name="Back to the teacher").click()
    wait_address(s2, r"/Elbow")

    # On the Elbow page: "where is the knee?" hides the knee until the reveal.
    teacher.get_by_role("button", name="Ask the class: where is the knee?").click(timeout=120_000)
    for s in (s1, s2):
        s.get_by_text("Where is the knee?").first.wait_for(timeout=60_000)
        expect(s.get_by_text("The knee is at k =")).to_have_count(0)
        expect(s.get_by_text("knee: k =")).to_have_count(0)
        s.locator("[data-testid='stButtonGroup']").last.locator("button").nth(3).click()
        s.get_by_text("Wait for the teacher's reveal").wait_for(timeout=30_000)
    teacher.get_by_text("2 of 2 following answered").wait_for(timeout=30_000)
    teacher.get_by_role("button", name="Reveal", exact=True).click()
    for s in (s1, s2):
        s.get_by_text("The kneedle algorithm puts the knee at k =").wait_for(timeout=30_000)

    # The teacher ends the class: followers are told and keep their screen.
    teacher.get_by_role("button", name="End class").click()
    s1.get_by_text("The class has ended").wait_for(timeout=30_000)
    assert "/Elbow" in s1.evaluate("location.pathname")


def test_a_wrong_code_is_refused_plainly(people):
    url, (student, _, _) = people
    student.goto(f"{url}/?room=ZZZZZZ")
    wait_until_done(student)
    student.get_by_text("no class is meeting with the code ZZZZZZ").wait_for()


def test_a_teacher_on_one_replica_drives_students_on_another(tmp_path):
    """Two `streamlit run` processes sharing rooms through a real redis-server
    (``KMLAB_ROOMS``): the teacher presents on one, the student joins on the other and
    follows the teacher's steps and page."""
    from playwright.sync_api import sync_playwright

    from tests.test_rooms import redis_server

    with redis_server() as url_redis:
        env = {"KMLAB_ROOMS": url_redis}
        with (
            streamlit_server(env) as (one, _),
            streamlit_server(env) as (two, _),
            sync_playwright() as p,
        ):
            b = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
            teacher, student = (
                b.new_context(viewport={"width": 1280, "height": 720}).new_page() for _ in range(2)
            )
            code = start_room(teacher, one)
            student.goto(f"{two}/?room={code}")
            student.get_by_text("Following the teacher").wait_for(timeout=60_000)
            wait_address(student, r"/Centroids")
            teacher.get_by_text("1 student follows").wait_for(timeout=60_000)
            wait_pos(teacher, 0)
            teacher.locator(".player").get_by_role("button", name="Step forward").click()
            wait_pos(student, 1)
            teacher.locator('[data-testid="stSidebar"]').get_by_role("link", name="Elbow").click()
            wait_address(student, r"/Elbow")
            b.close()
