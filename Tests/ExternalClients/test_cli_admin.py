"""`ledgerbridge admin new-keyring` / `add-key`: the key ring files the vault reads."""

from __future__ import annotations

import base64
import json
import os
import stat
import subprocess

from sandbox_support import binary


def admin(*args):
    return subprocess.run([binary(), "admin", *args], capture_output=True, text=True, timeout=60)


def test_new_keyring_writes_an_owner_only_ring_and_never_prints_the_key(tmp_path):
    path = tmp_path / "keyring.json"
    result = admin("new-keyring", str(path))
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    ring = json.loads(path.read_text())
    [key] = ring["keys"]
    assert ring["active"] == key["id"] and len(base64.b64decode(key["key"])) == 32
    assert key["id"] in result.stdout and key["key"] not in result.stdout + result.stderr

    again = admin("new-keyring", str(path))
    assert again.returncode != 0 and "not overwriting" in again.stderr
    assert json.loads(path.read_text()) == ring, "an existing ring is left alone"


def test_add_key_makes_a_new_active_key_and_keeps_the_old(tmp_path):
    path = tmp_path / "keyring.json"
    assert admin("new-keyring", str(path)).returncode == 0
    first = json.loads(path.read_text())
    result = admin("add-key", str(path))
    assert result.returncode == 0, result.stderr
    second = json.loads(path.read_text())
    assert len(second["keys"]) == 2 and second["active"] != first["active"]
    assert first["keys"][0] in second["keys"]
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_add_key_refuses_missing_and_exposed_rings(tmp_path):
    missing = admin("add-key", str(tmp_path / "nope.json"))
    assert missing.returncode != 0 and "cannot be read" in missing.stderr
    path = tmp_path / "keyring.json"
    assert admin("new-keyring", str(path)).returncode == 0
    os.chmod(path, 0o644)
    exposed = admin("add-key", str(path))
    assert exposed.returncode != 0 and "chmod 600" in exposed.stderr
    path.write_text('{"active": "x", "keys": []}')
    os.chmod(path, 0o600)
    bad = admin("add-key", str(path))
    assert bad.returncode != 0 and "no keys" in bad.stderr


def test_serve_refuses_to_start_without_a_usable_key_ring(cli, env, tmp_path):
    from conftest import READY_TIMEOUT, ServeProcess

    def serve_with(extra_env):
        with ServeProcess(cli.command("serve", "--database-url", env.app_url, "--migrations-dir", str(env.migrations_dir)),
                          env={"LEDGERBRIDGE_KEYRING": "", "LEDGERBRIDGE_KEYRING_JSON": "", **extra_env}) as server:
            assert server.wait_for_exit(READY_TIMEOUT) is not None, "serve started without a usable key ring"
            return server.result()

    missing = serve_with({})
    assert missing.returncode != 0 and "refusing to start" in missing.output and "admin new-keyring" in missing.output
    exposed = tmp_path / "open.json"
    assert admin("new-keyring", str(exposed)).returncode == 0
    os.chmod(exposed, 0o644)
    assert "chmod 600" in serve_with({"LEDGERBRIDGE_KEYRING": str(exposed)}).output
    assert "no keys" in serve_with({"LEDGERBRIDGE_KEYRING_JSON": '{"active":"a","keys":[]}'}).output


def test_rotate_key_runs_against_the_database_and_is_safe_to_repeat(cli, env, scratch_db, tmp_path):
    # A database of its own: the shared one holds other tests' secrets, sealed by their own rings.
    assert cli.migrate(scratch_db.owner_url, env.migrations_dir).returncode == 0
    ring = tmp_path / "keyring.json"
    assert admin("new-keyring", str(ring)).returncode == 0
    assert admin("add-key", str(ring)).returncode == 0
    for _ in range(2):
        result = cli.run("admin", "rotate-key", "--database-url", scratch_db.app_url, "--keyring", str(ring))
        assert result.returncode == 0, result.explain()
        assert "re-encrypted under key" in result.stdout
    bad = cli.run("admin", "rotate-key", "--database-url", scratch_db.app_url, "--keyring", str(tmp_path / "missing.json"))
    assert bad.returncode != 0 and "cannot be read" in bad.output
