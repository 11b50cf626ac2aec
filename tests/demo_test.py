"""`make demo` runs demo/demo.sh; it must keep working end to end."""

from __future__ import annotations

from tests.helpers import REPO, run


def test_demo_runs_end_to_end() -> None:
    out = run(["bash", str(REPO / "demo" / "demo.sh")], check=True)
    assert "byte-identical" in out.stdout
    assert out.stdout.count("mac: ok") == 3
    assert "correct horse battery staple" in out.stdout  # opened again in step 5
