"""`make demo` runs demo/demo.sh; it must keep working end to end."""

from __future__ import annotations

from tests.helpers import REPO, run


def test_demo_runs_end_to_end() -> None:
    out = run(["bash", str(REPO / "demo" / "demo.sh")], check=True)
    assert "byte-identical" in out.stdout
    assert out.stdout.count("mac: ok") == 3
    assert "correct horse battery staple" in out.stdout  # opened again in step 4
    # the keyless clone: sealed bytes on disk, digests in git log -p, a review all the same
    assert '  password: "ENC[AES256_GCM,' in out.stdout
    assert '-  password: "sealed:' in out.stdout and '+  password: "sealed:' in out.stdout
    assert "| changed | `database.password` |" in out.stdout
    assert '  password: "a new password"\n' in out.stdout  # the clone with the key
    assert "the worker starts with a DB_PASSWORD of 28 characters\n" in out.stdout
    assert out.stdout.count("  audit: signed and verified (entry ") == 3
    assert "sealer: audit trail verified: 2 commits, 3 new entries" in out.stderr
