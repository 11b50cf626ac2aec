#!/bin/sh
# Stand-in for a real deploy step: needs DB_USER and DB_PASSWORD, never prints the password.
set -eu
: "${DB_USER:?DB_USER is not set}"
: "${DB_PASSWORD:?DB_PASSWORD is not set}"
printf 'deploying as %s with a password of %s characters\n' "$DB_USER" "${#DB_PASSWORD}"
