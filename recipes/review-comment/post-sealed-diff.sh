#!/bin/sh
# Post what a pull/merge request changes in sealed files, as a comment, from CI.
# Needs no sealer key: `sealer diff` compares the sealed blobs themselves.
#
#   post-sealed-diff.sh BASE      (BASE: the target branch, e.g. origin/main)
#
# GitHub Actions: posts with `gh pr comment` (GH_TOKEN, PR_NUMBER).
# GitLab CI: posts with `glab mr note` (GITLAB_TOKEN, CI_MERGE_REQUEST_IID).
# Elsewhere, or with DRY_RUN=1: prints the comment.
set -eu
base=${1:?usage: post-sealed-diff.sh BASE}
body=$(mktemp)
trap 'rm -f "$body"' EXIT

# BASE...HEAD: from the merge base, so the target branch's own later changes are
# not shown as if the request undid them. Exit 1 means "something changed".
status=0
sealer diff --exit-code --markdown "$base...HEAD" > "$body" || status=$?
case $status in
  0) echo "no sealed file changed; nothing to post"; exit 0 ;;
  1) ;;
  *) exit "$status" ;;
esac

if [ "${DRY_RUN:-}" = 1 ]; then
  cat "$body"
elif [ "${GITHUB_ACTIONS:-}" = true ]; then
  gh pr comment "${PR_NUMBER:?set PR_NUMBER to the pull request number}" --body-file "$body"
elif [ "${GITLAB_CI:-}" = true ]; then
  glab mr note "${CI_MERGE_REQUEST_IID:?run this in a merge request pipeline}" \
    --message "$(cat "$body")"
else
  cat "$body"
fi
