"""Two app replicas on one PostgreSQL database agree: what one writes, the other shows on its next run.

Two `streamlit run` servers (as behind a proxy with sticky sessions, docs/deploy.md) share a fresh
schema on the machine's PostgreSQL. The facilitator works on replica A, a participant on replica B:
the dashboard on A counts B's answer within its refresh, and a participant link replaced on A stops
working on B at once. A self-check saved on B is in the notebook on A.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from benchmarks.common import IDLE, LiveServer, free_port
from joiningforces.storage.store import _normalise_url

from .helpers import (FIRST, LAPTOP, PURPOSE, QUICK, choose, create_review, sees_only_not_found, take_part, wait_idle,
                      wait_saved)

PG_ENV = "JOININGFORCES_TEST_PG_URL"
LOCAL_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DEPLOY_CONFIG = Path(__file__).resolve().parents[2] / "docs" / "deploy" / "nginx.conf"


@pytest.fixture(scope="module")
def shared_database():
    """A fresh schema on the test PostgreSQL server, dropped afterwards: the replicas' one database."""
    base = os.environ.get(PG_ENV) or LOCAL_PG
    admin = create_engine(_normalise_url(base), isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5})
    schema = f"jf_replicas_{secrets.token_hex(6)}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # noqa: BLE001
        admin.dispose()
        if os.environ.get(PG_ENV):
            pytest.fail(f"{PG_ENV} is set but PostgreSQL does not answer: {exc}")
        pytest.skip(f"no PostgreSQL at {LOCAL_PG}: {type(exc).__name__}")
    yield make_url(base).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(scope="module")
def replicas(shared_database, chromium, tmp_path_factory):
    started = []
    try:
        for name in ("a", "b"):
            folder = tmp_path_factory.mktemp(f"replica-{name}")
            started.append(LiveServer(data_dir=folder / "data", log=folder / "streamlit.log",
                                      env={"JOININGFORCES_DATABASE_URL": shared_database}))
        yield started
    finally:
        for live in started:
            live.stop()


def on(replica: LiveServer, link: str) -> str:
    """The same link, served by another replica (a proxy may send a new session to either)."""
    return replica.url + link[link.index("/", len("http://")):]


def test_two_replicas_on_one_database_agree(replicas, chromium):
    a, b = replicas
    assert a.port != b.port
    facilitator = chromium.new_context(viewport=LAPTOP)
    participant = chromium.new_context(viewport=LAPTOP)
    try:
        dashboard = facilitator.new_page()
        for replica in (b, a):  # a server's first run imports the app: slow on a busy machine
            dashboard.goto(replica.url)
            dashboard.locator(IDLE).wait_for(state="attached", timeout=120_000)
        dashboard.set_default_timeout(20_000)
        participant_link, _ = create_review(dashboard, a.url)
        assert participant_link.startswith(a.url)
        dashboard.locator('[data-testid="stMetric"]', has_text="Answered").get_by_text("0", exact=True).wait_for()

        own_link = take_part(participant, on(b, participant_link), "Funder or commissioner", "Agree")
        assert own_link.startswith(b.url)
        # The dashboard on A refreshes itself (no reload) and counts the answer given on B.
        dashboard.locator('[data-testid="stMetric"]', has_text="Answered").get_by_text("1", exact=True).wait_for(
            timeout=20_000)

        # Replaced on A, the participant link stops working on B at once; the participant's own link goes on.
        replace = dashboard.get_by_role("button", name="Replace the participant link")
        if not replace.is_visible():  # the Links expander starts open while nobody has joined
            dashboard.get_by_text("Links").first.click()
        replace.click()
        dashboard.get_by_role("button", name="Replace it").click()
        dashboard.get_by_text("The participant link was replaced").wait_for()
        stranger = participant.new_page()
        stranger.set_default_timeout(20_000)
        sees_only_not_found(stranger, on(b, participant_link))
        mine = participant.new_page()
        mine.set_default_timeout(20_000)
        mine.goto(own_link)
        wait_idle(mine)
        mine.get_by_role("heading", name=PURPOSE.title).wait_for()

        # A self-check saved on B is listed in the notebook on A (both serve the local notebook).
        check = participant.new_page()
        check.set_default_timeout(20_000)
        check.goto(f"{b.url}/")
        wait_idle(check)
        check.get_by_role("button", name="Take the quick check").click()
        check.get_by_text("Principle 1 of ").wait_for()
        wait_idle(check)
        check.get_by_role("radiogroup").first.get_by_text("Agree", exact=True).click()
        check.locator('[class*="st-key-saved-"]').get_by_text("Saved").first.wait_for()
        notebook = facilitator.new_page()
        notebook.set_default_timeout(20_000)
        notebook.goto(f"{a.url}/notebook")
        wait_idle(notebook)
        notebook.get_by_text(f"1 of {len(QUICK.statements)} answered").wait_for()

        # An action added on A is in the action plan on B.
        notebook.get_by_role("tab", name="Action plan").click()
        notebook.get_by_role("textbox", name="Action").fill("Share plans in draft")
        notebook.get_by_role("button", name="Add action").click()
        notebook.get_by_text("Share plans in draft").wait_for()
        plan = participant.new_page()
        plan.set_default_timeout(20_000)
        plan.goto(f"{b.url}/notebook")
        wait_idle(plan)
        plan.get_by_role("tab", name="Action plan").click()
        plan.get_by_text("Share plans in draft").wait_for()

        # Closed on A, the review takes no more answers on B: the participant's page says so.
        dashboard.get_by_text("Settings").first.click()
        dashboard.get_by_role("button", name="Close the review now").click()
        dashboard.get_by_text("The review is closed").first.wait_for()
        mine.goto(own_link)
        wait_idle(mine)
        mine.get_by_text("This review closed on").first.wait_for()
    finally:
        facilitator.close()
        participant.close()


class ProxyURL(str):
    """The proxy's address, knowing where it writes its access log."""

    def __new__(cls, url: str, log: Path):
        made = super().__new__(cls, url)
        made.log = log
        return made


@pytest.fixture(scope="module")
def proxy(replicas, tmp_path_factory):
    """docs/deploy/nginx.conf as shipped, on loopback ports in front of the two replicas, with a
    throw-away certificate: the documented configuration, serving."""
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
    if nginx is None:
        if os.environ.get("JOININGFORCES_REQUIRE_BROWSER"):  # CI installs it: there it must run
            pytest.fail("nginx is not installed (apt-get install nginx-light)")
        pytest.skip("nginx is not installed (apt-get install nginx-light)")
    folder = tmp_path_factory.mktemp("proxy")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                    "-keyout", folder / "privkey.pem", "-out", folder / "fullchain.pem"], check=True,
                   capture_output=True)
    https, http = free_port(), free_port()
    a, b = replicas
    config = (DEPLOY_CONFIG.read_text().replace("/etc/ssl/joiningforces", str(folder))
              .replace("/var/log/nginx", str(folder))
              .replace("listen [::]:80;", "").replace("listen [::]:443 ssl http2;", "")
              .replace("listen 80;", f"listen 127.0.0.1:{http};")
              .replace("listen 443 ssl http2;", f"listen 127.0.0.1:{https} ssl http2;")
              .replace("127.0.0.1:8501", f"127.0.0.1:{a.port}").replace("127.0.0.1:8502", f"127.0.0.1:{b.port}"))
    (folder / "nginx.conf").write_text(config)
    process = subprocess.Popen([nginx, "-c", str(folder / "nginx.conf"), "-g",
                                f"daemon off; pid {folder / 'nginx.pid'};"],
                               stdout=subprocess.DEVNULL, stderr=(folder / "stderr.log").open("wb"))
    deadline = time.monotonic() + 20
    while True:
        if process.poll() is not None:
            pytest.fail(f"nginx exited: {(folder / 'stderr.log').read_text()}")
        try:
            socket.create_connection(("127.0.0.1", https), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
    yield ProxyURL(f"https://127.0.0.1:{https}", folder / "joiningforces.access.log")
    process.terminate()
    process.wait(10)


def test_the_documented_proxy_serves_the_app_over_tls_with_websockets_and_one_replica_per_browser(proxy, chromium):
    context = chromium.new_context(viewport=LAPTOP, ignore_https_errors=True)
    try:
        page = context.new_page()
        page.set_default_timeout(30_000)
        response = page.goto(f"{proxy}/")
        headers = response.all_headers()  # .headers leaves out cookies
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["x-frame-options"] == "DENY" and headers["x-content-type-options"] == "nosniff"
        assert headers["strict-transport-security"].startswith("max-age=")
        assert "jf_replica=" in headers.get("set-cookie", "")
        page.locator(IDLE).wait_for(state="attached", timeout=120_000)
        # Answering needs the WebSocket through the proxy, and the same replica for the whole page.
        page.get_by_role("button", name="Take the quick check").click()
        page.get_by_text("Principle 1 of ").wait_for()
        wait_idle(page)
        page.get_by_role("radiogroup").first.get_by_text("Agree", exact=True).click()
        page.locator('[class*="st-key-saved-"]').get_by_text("Saved").first.wait_for()
        cookie = [c for c in context.cookies() if c["name"] == "jf_replica"]
        assert len(cookie) == 1 and cookie[0]["secure"] and cookie[0]["httpOnly"]
        again = context.new_page().goto(f"{proxy}/notebook")
        assert "jf_replica=" not in again.all_headers().get("set-cookie", "")  # the browser keeps its replica
    finally:
        context.close()


def served_by(log: Path, path: str, replicas) -> LiveServer:
    """The replica that served the last request for `path`, from the proxy's access log."""
    lines = [line for line in log.read_text().splitlines() if f'"GET {path}"' in line]
    assert lines, f"no request for {path} in the access log"
    port = int(lines[-1].rsplit("upstream=", 1)[1].split(",")[-1].strip().rsplit(":", 1)[1])
    return next(r for r in replicas if r.port == port)


def test_when_a_replica_stops_its_participants_carry_on_through_the_proxy_on_the_other(replicas, proxy, chromium):
    # Last in this module: it stops a replica.
    facilitator = chromium.new_context(viewport=LAPTOP, ignore_https_errors=True)
    participant = chromium.new_context(viewport=LAPTOP, ignore_https_errors=True)
    try:
        page = facilitator.new_page()
        page.set_default_timeout(30_000)
        link, _ = create_review(page, replicas[0].url)
        own_link = take_part(participant, proxy + link[link.index("/review"):], "Funder or commissioner", "Agree")
        assert own_link.startswith(proxy)
        log = proxy.log
        first = served_by(log, "/review", replicas)
        first.stop()
        mine = participant.new_page()
        mine.set_default_timeout(30_000)
        mine.goto(own_link)
        wait_idle(mine)
        assert served_by(log, "/review", replicas) is not first
        # Their answer is there (read from the database by the other replica) and they go on.
        mine.get_by_role("heading", name=PURPOSE.title).wait_for()
        assert mine.get_by_role("radiogroup", name=FIRST.text, exact=True).get_by_role(
            "radio", name="Agree", exact=True).is_checked()
        choose(mine, FIRST, "Disagree")
        wait_saved(mine, FIRST)
    finally:
        facilitator.close()
        participant.close()
