#!/bin/sh
# Container entrypoint: run the image's command with the sealed values in its
# environment. The age key arrives as a Docker or Kubernetes secret file.
# sealer replaces this shell (exec), so it gets the container's signals and
# passes them on; the command's exit status is the container's.
set -eu
SEALER_AGE_KEY_FILE="${SEALER_AGE_KEY_FILE:-/run/secrets/sealer_age_key}"
export SEALER_AGE_KEY_FILE
SEALER_SECRETS="${SEALER_SECRETS:-/app/config/secrets.yaml}"
exec sealer exec --env "$SEALER_SECRETS" -- "$@"
