#!/bin/sh
# Render a plain Kubernetes Secret from a sealed file, to pipe into kubectl:
#   ./render-secret.sh config/secrets.yaml | kubectl apply -f -
# The manifest holds plaintext (base64): pipe it, never commit or keep it.
set -eu
exec sealer export "${1:?usage: render-secret.sh SEALED-FILE}" --format k8s-secret \
  --name "${SECRET_NAME:-app-secrets}" --namespace "${NAMESPACE:-default}" \
  --label app.kubernetes.io/name="${APP_NAME:-app}" \
  --label app.kubernetes.io/managed-by=sealer
