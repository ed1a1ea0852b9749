"""Sign-in for real: a local OpenID Connect provider (oidc-provider-mock, a real OIDC server
process on 127.0.0.1), the app configured with it in a secrets file as Streamlit documents, and
people signing in through Chromium. Each sees only their own notebook, theirs on every device;
an administrator sees the backup page, a non-administrator does not."""

from __future__ import annotations

import secrets
import subprocess
import sys
import time
import urllib.request

import pytest

from benchmarks.common import LiveServer, free_port

from .helpers import QUICK, screenshot, wait_idle, wait_saved

ALICE, BOB, BOSS = "alice@example.org", "bob@example.org", "boss@example.org"


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    port = free_port()
    log = tmp_path_factory.mktemp("oidc") / "provider.log"
    process = subprocess.Popen([sys.executable, "-m", "oidc_provider_mock", "--port", str(port),
                                "--host", "127.0.0.1", "--user", ALICE, "--user", BOB, "--user", BOSS],
                               stdout=log.open("wb"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"the OIDC provider exited:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/.well-known/openid-configuration", timeout=2) as answer:
                if answer.status == 200:
                    break
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"the OIDC provider did not answer:\n{log.read_text()}") from None
            time.sleep(0.1)
    yield url
    process.terminate()
    process.wait(10)


@pytest.fixture(scope="module")
def app_with_signin(tmp_path_factory, chromium, provider):
    folder = tmp_path_factory.mktemp("signin")
    port = free_port()
    secrets_file = folder / "secrets.toml"
    secrets_file.write_text(f'''
[auth]
redirect_uri = "http://127.0.0.1:{port}/oauth2callback"
cookie_secret = "{secrets.token_hex(32)}"
client_id = "joiningforces-test"
client_secret = "{secrets.token_hex(16)}"
server_metadata_url = "{provider}/.well-known/openid-configuration"

[joiningforces]
admins = ["{BOSS}"]
''', encoding="utf-8")
    live = LiveServer(data_dir=folder / "data", log=folder / "streamlit.log", address="0.0.0.0", port=port,
                      flags=["--secrets.files", str(secrets_file)])
    yield live
    live.stop()


def sign_in(chromium, server, who: str):
    context = chromium.new_context(viewport={"width": 1280, "height": 1400})
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(server.url)
    wait_idle(page)
    page.get_by_text("On a shared server with sign-in").wait_for()
    page.get_by_role("button", name="Sign in").first.click()
    page.get_by_role("button", name=who, exact=True).click()  # the provider's sign-in page
    page.get_by_text(f"Signed in as {who}").wait_for()
    wait_idle(page)
    return context, page


def test_each_person_signed_in_sees_only_their_own_notebook(chromium, app_with_signin):
    server = app_with_signin
    # Not signed in: the notebook asks for sign-in and shows nothing.
    anonymous = chromium.new_context()
    page = anonymous.new_page()
    page.goto(server.url)
    wait_idle(page)
    page.goto(f"{server.url}/notebook")
    page.get_by_role("heading", name="Please sign in").wait_for()
    anonymous.close()

    alice_context, alice = sign_in(chromium, server, ALICE)
    alice.get_by_role("button", name="Take the quick check").click()
    statement = QUICK.principles[0].statements[0]
    alice.get_by_role("radiogroup", name=statement.text, exact=True).get_by_text(
        QUICK.scale.points[0].label, exact=True).click()
    wait_saved(alice, statement)
    alice.get_by_text("Save and come back later").click()
    alice.get_by_role("textbox", name="Partnership").fill("Alice's alliance kw17")
    alice.get_by_role("textbox", name="Partnership").press("Tab")
    wait_idle(alice)
    alice.get_by_role("link", name="Notebook").click()
    alice.get_by_text("Alice's alliance kw17").wait_for()
    assert alice.get_by_role("link", name="Backup").count() == 0  # not an administrator
    screenshot(alice, "signin-alice-notebook")

    bob_context, bob = sign_in(chromium, server, BOB)
    bob.get_by_role("link", name="Notebook").click()
    bob.get_by_text("No saved assessments yet").wait_for()
    assert "kw17" not in bob.content()
    assert bob.get_by_role("link", name="Backup").count() == 0

    boss_context, boss = sign_in(chromium, server, BOSS)
    boss.get_by_role("link", name="Notebook").click()
    boss.get_by_text("No saved assessments yet").wait_for()
    assert "kw17" not in boss.content()  # administrators get no view of others' notebooks
    boss.get_by_role("link", name="Backup").click()
    boss.get_by_role("button", name="Download the backup (JSON)").wait_for()
    screenshot(boss, "signin-admin-backup")

    # Alice on another device: her notebook follows her account.
    other_context, other = sign_in(chromium, server, ALICE)
    other.get_by_role("link", name="Notebook").click()
    other.get_by_text("Alice's alliance kw17").wait_for()
    for context in (alice_context, bob_context, boss_context, other_context):
        context.close()
