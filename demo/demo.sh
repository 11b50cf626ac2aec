#!/usr/bin/env bash
# An end-to-end walk through the loop a team lives in, in a throwaway directory
# with its own HOME: `sealer init`, sealed files committed through the git
# filter, a keyless clone that still reviews changes, a clone with a key,
# `sealer exec` at deploy time, and a re-key recorded in the audit trail.
# Run by `make demo`; safe to run again (nothing outside the temp dir is touched).
set -euo pipefail

work=$(mktemp -d "${TMPDIR:-/tmp}/sealer-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT
export HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config" GIT_CONFIG_NOSYSTEM=1
mkdir -p "$HOME"
cd "$work"
unset SEALER_AGE_KEY SEALER_AGE_KEY_FILE SEALER_AGE_KEY_CMD SEALER_SIGNING_KEY \
  SOPS_AGE_KEY SOPS_AGE_KEY_FILE SOPS_AGE_KEY_CMD || true
git config --global user.name "Alice Admin"
git config --global user.email alice@example.invalid
git config --global init.defaultBranch main
mkdir -p "$HOME/.ssh" && ssh-keygen -q -t ed25519 -N '' -C alice -f "$HOME/.ssh/id_ed25519"  # signs audit entries

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { printf '\033[2m$ %s\033[0m\n' "$*"; "$@"; }
# someone without any sealer key: a reviewer, a CI job, a new contributor
keyless() { env HOME="$work/nokey" XDG_CONFIG_HOME="$work/nokey/.config" "$@"; }
mkdir -p "$work/nokey"
cp "$HOME/.gitconfig" "$work/nokey/"

step "1. sealer init: an age key, .sealer.yaml, the git filter, pre-commit hooks, the audit trail"
git init -q team && cd team
show sealer init --audit --layout secrets-dir --layout env
show cat .sealer.yaml

step "2. Ordinary config files; git stores them sealed, the working tree stays plaintext"
mkdir -p secrets
cat > secrets/config.yaml <<'YAML'
# Database settings for the demo service
database:
  host_unencrypted: db.internal   # the _unencrypted suffix keeps a value readable
  user: app
  password: "correct horse battery staple"
  port: 5432
features: [search, "beta-ui"]
YAML
cat > secrets/settings.json <<'JSON'
{
  "api": {"url_unencrypted": "https://api.example.invalid", "token": "demo-token-1234"},
  "retries": 3
}
JSON
cat > app.env <<'ENV'
# credentials for the worker
DB_PASSWORD=correct horse battery staple
LOG_LEVEL_unencrypted=info
ENV
git add -A && git commit -qm "sealer set up, first secrets"
show git log --oneline
echo "what git stores (git show HEAD:secrets/config.yaml):"
git show HEAD:secrets/config.yaml | sed -n '1,6p' | cut -c1-100
echo "what the working tree holds:"
show sed -n '1,6p' secrets/config.yaml

step "3. Change one value; unchanged values keep their ciphertext"
sed -i 's/correct horse battery staple/a new password/' secrets/config.yaml
git commit -qam "rotate the database password"
git show HEAD:secrets/config.yaml > after.yaml
git add secrets/config.yaml  # staging the unchanged file again gives the very same blob
git show :secrets/config.yaml | cmp - after.yaml && echo "byte-identical"
rm after.yaml
show sealer diff HEAD~1 HEAD

step "4. The stored files open with the key (the sops binary opens them too)"
mkdir -p ../stored
for f in secrets/config.yaml secrets/settings.json app.env; do
  git show "HEAD:$f" > "../stored/$(basename "$f")"
done
show sealer status ../stored/config.yaml ../stored/settings.json ../stored/app.env
git show HEAD~1:secrets/config.yaml > ../stored/before.yaml
show sealer get ../stored/before.yaml database.password
echo

step "5. A clone without a key: sealed bytes on disk, and still a review of every change"
git clone -q "$work/team" "$work/locked"
cd "$work/locked"
keyless sealer git install --no-hook 2>/dev/null
show sed -n '3,5p' secrets/config.yaml | cut -c1-100
echo "git log -p, as someone without the key sees it (values as digests of their ciphertext):"
keyless git log -p -1 --format='commit %h %s' -- secrets/config.yaml | grep '^[-+ ]' | head -12
echo
printf '\033[2m$ sealer diff HEAD~1 HEAD --markdown   # no key: a pull-request comment\033[0m\n'
keyless sealer diff HEAD~1 HEAD --markdown

step "6. A clone with the key: plaintext in the working tree"
git clone -q "$work/team" "$work/keyed"
cd "$work/keyed"
sealer git install --no-hook 2>/dev/null
show sed -n '3,6p' secrets/config.yaml

step "7. Deploy: a checkout of the sealed files, and the deploy key only in sealer exec's child"
cd "$work/locked"   # what a deploy job checks out: sealed files, no filter
deploy_key="$HOME/.config/sealer/age/keys.txt"
# shellcheck disable=SC2016 # the child expands it
show env SEALER_AGE_KEY_FILE="$deploy_key" sealer exec --env app.env -- \
  sh -c 'echo "the worker starts with a DB_PASSWORD of ${#DB_PASSWORD} characters"'

step "8. Bob joins: re-key, recorded and signed in the audit trail, verified"
cd "$work/team"
bob=$(keyless sealer keygen -o - | sed -n 's/^# public key: //p')
sed -i "s|^\(    age: .*\)$|\1,$bob|" .sealer.yaml
show sealer updatekeys
git commit -qam "bob may read the secrets"
show sealer audit log
show sealer audit verify
show sealer diff HEAD~1 HEAD

printf '\nDone. Everything ran in %s, which is now removed.\n' "$work"
