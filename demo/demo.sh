#!/usr/bin/env bash
# An end-to-end walk through sealer, in a throwaway directory with its own HOME.
# Run by `make demo`; safe to run again (nothing outside the temp dir is touched).
set -euo pipefail

work=$(mktemp -d "${TMPDIR:-/tmp}/sealer-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT
export HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config"
mkdir -p "$HOME"
cd "$work"
unset SEALER_AGE_KEY SEALER_AGE_KEY_FILE SOPS_AGE_KEY SOPS_AGE_KEY_FILE || true

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { printf '\033[2m$ %s\033[0m\n' "$*"; "$@"; }

step "1. Make an age key (stored in \$XDG_CONFIG_HOME/sealer/age/keys.txt)"
recipient=$(sealer keygen)
echo "recipient: $recipient"

step "2. A rules file says who files are sealed for (sops' .sops.yaml schema)"
cat > .sealer.yaml <<RULES
creation_rules:
  - path_regex: \.(yaml|json|env)$
    age: $recipient
RULES
show cat .sealer.yaml

step "3. Three ordinary config files"
cat > config.yaml <<'YAML'
# Database settings for the demo service
database:
  host_unencrypted: db.internal   # the _unencrypted suffix keeps a value readable
  user: app
  password: "correct horse battery staple"
  port: 5432
features: [search, "beta-ui"]
YAML
cat > settings.json <<'JSON'
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
show cat config.yaml

step "4. Seal them in place: only the values change, keys/comments/layout stay"
show sealer encrypt -i config.yaml
show sealer encrypt -i settings.json
show sealer encrypt -i app.env
show cat config.yaml
show cat app.env

step "5. Open them again (the sops binary opens these files too)"
show sealer decrypt config.yaml
show sealer decrypt settings.json
show sealer get config.yaml database.password
echo

step "6. Change one value; the secret comes from stdin, not the command line"
cp config.yaml before.yaml
printf 'a new password\n' | sealer set --value-stdin --string config.yaml database.password
echo "diff of the sealed file: only that value's line, plus lastmodified and mac"
diff -u before.yaml config.yaml | grep '^[-+]' | grep -v '^[-+][-+]' | cut -c1-100 || true

step "7. Setting the same value again changes nothing at all"
cp config.yaml before.yaml
printf 'a new password\n' | sealer set --value-stdin --string config.yaml database.password
cmp before.yaml config.yaml && echo "byte-identical"

step "8. Status: sealed, for whom, and whether the MAC verifies"
show sealer status config.yaml settings.json app.env

printf '\nDone. Everything ran in %s, which is now removed.\n' "$work"
