"""The git filter under stress: several worktrees working at once, the filter
process killed mid-command, and `rotate`/`updatekeys` killed mid-run. Afterwards
every blob and file is the old or the new version, the log has whole lines only,
and no plaintext reached the object store.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sealer.audit import log as audit_log
from tests.gitfilter.gitrepo import GitRepo, new_repo
from tests.gitfilter.objects import assert_no_plaintext
from tests.helpers import AgeKey, run, tool

N_FILES = 12


def secret(i: int, generation: str) -> str:
    return f"pw-{generation}-{i:03d}-9f3c"


def files(generation: str, padding: str = "") -> dict[str, str]:
    return {
        f"secrets/f{i:02d}.yaml": f"user: u{i}\npassword: {secret(i, generation)}\n{padding}"
        for i in range(N_FILES)
    }


# values besides the password, so sealing a file takes a while and a kill lands mid-work
PADDING = "pad:\n" + "".join(f"  k{j:04d}: v{j:04d}\n" for j in range(1500))


def all_secrets(*generations: str) -> list[str]:
    return [secret(i, g) for g in generations for i in range(N_FILES)]


def stored_password(repo: GitRepo, spec: str) -> str:
    """The password in a stored (sealed) blob, opened by sealer from stdin."""
    blob = repo.stored(spec)
    assert "sops:" in blob and "pw-" not in blob
    out = run([sys.executable, "-m", "sealer", "decrypt", "--input-type", "yaml", "--extract",
               "password", "-"], input=blob, env=repo.env, check=True)  # fmt: skip
    return out.stdout


def test_worktrees_working_at_once_stay_correct(tmp_path: Path, age_key: AgeKey) -> None:
    repo = new_repo(tmp_path / "main", age_key, files=files("base"))
    names = ["w1", "w2", "w3"]
    trees = {}
    for name in names:
        repo.git("worktree", "add", "-q", "-b", name, str(tmp_path / name))
        trees[name] = GitRepo(tmp_path / name, age_key)

    def work(name: str) -> None:
        tree = trees[name]
        for round_ in range(3):
            for rel, text in files(f"{name}-{round_}").items():
                tree.write(rel, text)
            tree.commit(f"{name} round {round_}")
            tree.git("checkout", "-q", "HEAD~1")
            tree.git("checkout", "-q", name)

    with ThreadPoolExecutor(len(names)) as pool:
        list(pool.map(work, names))
    for name, tree in trees.items():
        assert tree.status() == ""
        for i in range(N_FILES):
            assert stored_password(tree, f"HEAD:secrets/f{i:02d}.yaml") == secret(i, f"{name}-2")
            assert tree.read(f"secrets/f{i:02d}.yaml").endswith(f"{secret(i, f'{name}-2')}\n")
    assert_no_plaintext(
        repo.path, all_secrets("base", *(f"{n}-{r}" for n in names for r in range(3)))
    )


def _filter_pids(parent: int) -> list[int]:
    """The filter processes git started (its children running `sealer git process`)."""
    out = run([tool("pgrep"), "-P", str(parent), "-f", "sealer git process"])
    return [int(p) for p in out.stdout.split()]


def test_killing_the_filter_process_mid_add_leaves_a_consistent_repo(
    tmp_path: Path, age_key: AgeKey
) -> None:
    rng = random.Random(5)
    repo = new_repo(tmp_path / "r", age_key, files=files("old", PADDING))
    kills = 0
    for round_ in range(6):
        generation = f"new{round_}"
        for rel, text in files(generation, PADDING).items():
            repo.write(rel, text)
        add = subprocess.Popen(["git", "add", "-A"], cwd=repo.path,
                               env={**os.environ, **repo.env}, stderr=subprocess.PIPE)  # fmt: skip
        pids: list[int] = []
        while not pids and add.poll() is None:  # wait for git to start the filter
            pids = _filter_pids(add.pid)
        # then kill it somewhere in its work: at once in the first round (so at least one
        # kill lands while it runs, however fast the machine), later ones up to 0.4 s in
        time.sleep(0.08 * round_ * rng.uniform(0.5, 1.0))
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
                kills += add.poll() is None
        add.wait()
        # whatever happened, the index holds sealed blobs that open to old or new values
        previous = f"new{round_ - 1}" if round_ else "old"
        for i in range(N_FILES):
            staged = stored_password(repo, f":secrets/f{i:02d}.yaml")
            assert staged in (secret(i, previous), secret(i, generation))
        repo.git("add", "-A")  # a clean retry completes
        for i in range(N_FILES):
            assert stored_password(repo, f":secrets/f{i:02d}.yaml") == secret(i, generation)
        repo.git("commit", "-q", "-m", generation)
        assert repo.status() == ""
    assert kills > 0, "the filter finished before every kill: nothing was tested"
    assert_no_plaintext(repo.path, all_secrets("old", *(f"new{r}" for r in range(6))))


def test_killing_rotate_and_updatekeys_leaves_whole_files_and_whole_log_lines(
    tmp_path: Path, age_key: AgeKey
) -> None:
    from tests.audit.keys import make_person

    rng = random.Random(9)
    alice = make_person(tmp_path / "people", "alice")
    repo = tmp_path / "r"
    repo.mkdir()
    env = {**alice.env()}
    run(["git", "init", "-q", "-b", "main"], cwd=repo, env=env, check=True)
    (repo / ".sealer.yaml").write_text(
        f"creation_rules:\n  - path_regex: secrets/.*\n    age: {alice.age_recipient}\n"
    )
    run([sys.executable, "-m", "sealer", "audit", "init"], cwd=repo, env=env, check=True)
    (repo / "secrets").mkdir()
    for rel, text in files("v").items():
        (repo / rel).write_text(text)
        run([sys.executable, "-m", "sealer", "encrypt", "-i", rel], cwd=repo, env=env, check=True)
    run(
        [sys.executable, "-m", "sealer", "audit", "record", "secrets"],
        cwd=repo,
        env=env,
        check=True,
    )
    run(["git", "add", "-A"], cwd=repo, env=env, check=True)
    run(["git", "commit", "-qm", "root"], cwd=repo, env=env, check=True)
    for round_ in range(6):
        command = ["rotate", "secrets"] if round_ % 2 else ["updatekeys", "--rotate", "secrets"]
        proc = subprocess.Popen([sys.executable, "-m", "sealer", *command], cwd=repo,
                                env={**os.environ, **env}, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)  # fmt: skip
        time.sleep(rng.uniform(0.1, 1.0))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        for i in range(N_FILES):
            out = run([sys.executable, "-m", "sealer", "get", f"secrets/f{i:02d}.yaml", "password"],
                      cwd=repo, env=env)  # fmt: skip
            assert out.returncode == 0, out.stderr
            assert out.stdout == secret(i, "v")
        data = (repo / ".sealer" / "audit.jsonl").read_bytes()
        assert data == b"" or data.endswith(b"\n")  # empty until the first entry lands
        for n, line in enumerate(audit_log.split_lines(data)):
            audit_log.parse_line(line, n)  # every line whole and canonical
    leftovers = [p for p in repo.rglob("*.sealer-tmp")]
    assert all(b"pw-v-" not in p.read_bytes() for p in leftovers)


def test_a_comment_only_covered_file_is_stored_sealed(tmp_path: Path, age_key: AgeKey) -> None:
    repo = new_repo(tmp_path / "r", age_key, files={"secrets/a.yaml": "pw: x\n"})
    repo.write("secrets/todo.yaml", "# TODO: the password is hunter2\n")
    repo.commit("a comment-only file")
    assert "sops:" in repo.stored("HEAD:secrets/todo.yaml")
    assert repo.read("secrets/todo.yaml") == "# TODO: the password is hunter2\n"
    assert_no_plaintext(repo.path, ["hunter2"])
