"""The one module that talks to git: how it runs git, reads blobs, and what it refuses to let
a user's config change."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from sealer import git
from sealer.errors import Exit
from tests.helpers import run, tool


def _repo(path: Path) -> Path:
    run(["git", "init", "-q", "-b", "main", str(path)], check=True)
    return path


def _commit(repo: Path, files: dict[str, bytes], message: str, *extra: str) -> str:
    for name, data in files.items():
        (repo / name).write_bytes(data)
    run(["git", "-C", str(repo), "add", "--", *files], check=True)
    run(["git", "-C", str(repo), "commit", "-q", *extra, "-m", message], check=True)
    return run(["git", "-C", str(repo), "rev-parse", "HEAD"], check=True).stdout.strip()


def test_a_failing_command_names_itself_its_exit_code_and_what_git_said(tmp_path: Path) -> None:
    repo = _repo(tmp_path / "r")
    with pytest.raises(git.GitError) as caught:
        git.run(["rev-parse", "--verify", "no-such-rev"], repo)
    assert str(caught.value) == (
        "`git rev-parse --verify no-such-rev` exited 128: fatal: Needed a single revision"
    )
    assert caught.value.exit_code == Exit.ERROR


def test_query_answers_none_where_git_says_no(tmp_path: Path) -> None:
    repo = _repo(tmp_path / "r")
    assert git.query(["config", "--get", "sealer.nothing"], repo) is None
    assert git.query(["rev-parse", "--is-inside-work-tree"], repo) == b"true\n"
    assert git.query(["rev-parse", "--is-inside-work-tree"], tmp_path) is None


def test_git_missing_and_a_missing_directory_are_git_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(git.GitError) as caught:
        git.query(["status"], tmp_path / "gone")
    assert str(caught.value) == f"cannot run `git status`: no directory {tmp_path / 'gone'}"
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(git.GitError) as caught:
        git.run(["status"], tmp_path)
    assert str(caught.value) == "cannot run `git status`: git is not installed"


def test_toplevel_is_the_work_tree_around_a_directory_or_none(tmp_path: Path) -> None:
    repo = _repo(tmp_path / "r")
    (repo / "sub").mkdir()
    assert git.toplevel(repo / "sub") == repo.resolve()
    assert git.toplevel(tmp_path) is None


def test_blobs_reads_by_revision_path_and_id_and_answers_none_otherwise(tmp_path: Path) -> None:
    repo = _repo(tmp_path / "r")
    _commit(repo, {"a.txt": b"one\n", "odd\nname": b"two\n"}, "first")
    oid = run(["git", "-C", str(repo), "rev-parse", "HEAD:a.txt"], check=True).stdout.strip()
    with git.Blobs(repo) as blobs:
        assert blobs.object("HEAD:a.txt") == (oid, b"one\n")
        assert blobs.blob("HEAD:missing") is None
        assert blobs.blob("HEAD") is None  # a commit, not a blob
        assert blobs.blob("HEAD:odd\nname") == b"two\n"  # one name per line: asked on its own
        assert blobs.blob(oid) == b"one\n"  # still in step after every kind of answer


def test_sized_leaves_out_content_over_the_limit_and_stays_in_step(tmp_path: Path) -> None:
    repo = _repo(tmp_path / "r")
    _commit(repo, {"big": b"x" * 5000, "small": b"y\n"}, "first")
    with git.Blobs(repo) as blobs:
        assert blobs.sized("HEAD:big", 100) == (None, 5000)
        assert blobs.sized("HEAD:small", 100) == (b"y\n", 2)
        assert blobs.sized("HEAD:none") == (None, 0)


def test_batch_read_returns_each_found_object_once(tmp_path: Path) -> None:
    repo = _repo(tmp_path / "r")
    _commit(repo, {"a": b"A\n", "b": b"B\n"}, "first")
    found = git.batch_read(["HEAD:a", "HEAD:gone", "HEAD:b", "HEAD:a"], repo)
    assert found == {"HEAD:a": b"A\n", "HEAD:b": b"B\n"}
    assert git.batch_read(["HEAD:a"], tmp_path) == {}  # not a repository: nothing found


def test_a_missing_name_that_contains_spaces_is_not_found(tmp_path: Path) -> None:
    # git answers "<name> missing": three fields when the name holds one space
    repo = _repo(tmp_path / "r")
    _commit(repo, {"a": b"A\n"}, "first")
    names = [":0:x blob", "HEAD:x 12", "HEAD:a tree"]
    with git.Blobs(repo) as blobs:
        for name in names:
            assert blobs.object(name) is None
            assert blobs.sized(name) == (None, 0)
        assert blobs.blob("HEAD:a") == b"A\n"  # still in step
        assert blobs.sized("HEAD") == (None, 0)  # a commit: sized reads blobs only
        assert blobs.sized("HEAD:a") == (b"A\n", 2)
    assert git.batch_read([*names, "HEAD", "HEAD:a"], repo) == {"HEAD:a": b"A\n"}


def test_the_index_a_hook_is_given_is_the_one_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Inside `git commit -a` a hook sees a temporary index through GIT_INDEX_FILE."""
    repo = _repo(tmp_path / "r")
    _commit(repo, {"a": b"A\n"}, "first")
    other = tmp_path / "other-index"
    (repo / "b").write_bytes(b"B\n")
    run(["git", "-C", str(repo), "add", "b"], env={"GIT_INDEX_FILE": str(other)}, check=True)
    assert set(git.index_map(repo)) == {"a"}
    monkeypatch.setenv("GIT_INDEX_FILE", str(other))
    assert set(git.index_map(repo)) == {"b"}
    # settings for one call add to the environment, they do not replace it
    git.run(["-c", "filter.sealer.required=false", "checkout", "--", "b"], repo, env={"X": "1"})
    assert set(git.index_map(repo)) == {"b"}


def signed_history(tmp_path: Path) -> tuple[Path, list[str]]:
    """Two SSH-signed commits, in a HOME whose git config shows signatures in every log."""
    repo = _repo(tmp_path / "r")
    key = tmp_path / "signing"
    run([tool("ssh-keygen"), "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    allowed = tmp_path / "allowed"
    allowed.write_text(f"test@example.invalid {(tmp_path / 'signing.pub').read_text()}")
    for name, value in [
        ("gpg.format", "ssh"),
        ("user.signingkey", str(key)),
        ("gpg.ssh.allowedSignersFile", str(allowed)),
        ("log.showSignature", "true"),
    ]:
        run(["git", "config", "--global", name, value], check=True)
    first = _commit(repo, {"a": b"1\n"}, "first", "-S")
    second = _commit(repo, {"a": b"2\n", "b": b"3\n"}, "second", "-S")
    shown = run(["git", "-C", str(repo), "log", "-1", "--format=%H"], check=True).stdout
    assert "Good" in shown  # the setting is live for plain git
    return repo, [first, second]


def test_a_users_log_show_signature_does_not_reach_parsed_history(tmp_path: Path) -> None:
    repo, (first, second) = signed_history(tmp_path)
    assert git.run(["log", "--format=%H"], repo).decode().split() == [second, first]
    walked = git.walk(repo, first, "HEAD")
    assert [(c.id, sorted(c.changes)) for c in walked] == [(second, ["a", "b"])]


def test_reading_git_and_the_filters_work_loads_no_dataclasses() -> None:
    # dataclasses loads inspect, ast, dis and tokenize (a quarter of a small process's
    # start-up); the filter and the hook import sealer.git, whose records are NamedTuples
    code = (
        "import sys\nimport sealer.git, sealer.gitfilter.filter\n"
        "print([m for m in ('dataclasses', 'inspect', 'ast') if m in sys.modules])\n"
    )
    assert run([sys.executable, "-c", code], check=True).stdout == "[]\n"
