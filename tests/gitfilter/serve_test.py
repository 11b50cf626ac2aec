"""Which smudges the process filter hands to forked workers, and which it keeps."""

from __future__ import annotations

from pathlib import Path

import pytest

from sealer.gitfilter.process import Request
from sealer.gitfilter.serve import ProcessHandler
from tests.gitfilter.gitrepo import GitRepo, new_repo
from tests.helpers import AgeKey


def smudge(path: str, content: bytes) -> Request:
    return Request((("command", "smudge"), ("pathname", path), ("can-delay", "1")), content)


@pytest.fixture
def handler(tmp_path: Path, age_key: AgeKey, monkeypatch: pytest.MonkeyPatch) -> ProcessHandler:
    from sealer.gitfilter.filter import Filter
    from sealer.gitfilter.repo import Repo

    repo: GitRepo = new_repo(tmp_path / "r", age_key, files={"secrets/a.yaml": "pw: x\n"})
    monkeypatch.chdir(repo.path)
    monkeypatch.setenv("SEALER_AGE_KEY_FILE", str(age_key.file))
    h = ProcessHandler(Filter(Repo()), workers=2)
    h.capabilities(["clean", "smudge", "delay"])
    return h


def test_the_first_smudge_is_opened_by_the_parent_then_workers_take_over(
    handler: ProcessHandler,
) -> None:
    sealed = handler.filter.clean("secrets/a.yaml", b"pw: x\n")
    try:
        first = handler.handle(smudge("secrets/a.yaml", sealed))
        assert first.status == "success" and first.content == b"pw: x\n"
        second = handler.handle(smudge("secrets/b.yaml", sealed))
        assert second.status == "delayed"
    finally:
        handler.close()


def test_files_for_a_hardware_token_never_go_to_workers(handler: ProcessHandler) -> None:
    """Each forked worker would log in to the token on its own, spending a PIN try each."""
    sealed = handler.filter.clean("secrets/a.yaml", b"pw: x\n")
    token_file = sealed + b"# pkcs11 stanzas make this a token file\n"
    handler.primed = True
    try:
        response = handler.handle(smudge("secrets/c.yaml", token_file))
        assert response.status != "delayed"
        assert handler.pending == {}
    finally:
        handler.close()
