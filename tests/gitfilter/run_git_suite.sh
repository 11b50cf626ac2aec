#!/bin/sh
# Run git's own filter tests (t0021, t2080, t2082) against sealer's protocol code.
#
#   tests/gitfilter/run_git_suite.sh GIT_SOURCE_REPO [WORKDIR]
#
# GIT_SOURCE_REPO is a clone of git.git (any clone holding the tag that matches
# the installed git, e.g. v2.39.5), or an unpacked source tree of that version
# (tests/gitfilter/fetch_git_source.sh gets Debian's). The tag (or the tree) is
# copied into WORKDIR (default: a new temp dir), built once (about 3-6 minutes on 2 cores; an existing build in
# WORKDIR is reused), and in the exported copies of the three test scripts every
# `test-tool rot13-filter` is replaced by tests/gitfilter/rot13_filter.py, the
# rot13 personality of sealer.gitfilter.process. Each script runs under
# `timeout`, because protocol bugs show up as hangs. No git code is kept in
# this repository; it only lives in WORKDIR.
#
# PYTHON (default: python3) must be able to import sealer; SEALER_SUITE_TIMEOUT
# (seconds, default 900) bounds each script.
# SEALER_ROT13_MUTATE=abort-as-error makes the filter answer `error` where it
# should answer `abort`; the suite must then fail (a check of the harness).
set -eu

src=${1:?usage: run_git_suite.sh GIT_SOURCE_REPO [WORKDIR]}
work=${2:-$(mktemp -d /tmp/sealer-git-suite.XXXXXX)}
python=$(command -v "${PYTHON:-python3}")
here=$(cd "$(dirname "$0")" && pwd)
filter="$here/rot13_filter.py"
version=$(git --version | sed -n 's/^git version \([0-9.]*\).*/\1/p')
tag="v$version"

case "$python$filter" in
*[!A-Za-z0-9_./+-]*) echo "paths with special characters are not supported: $python $filter" >&2; exit 2 ;;
esac
"$python" -c 'import sealer.gitfilter.process' || { echo "$python cannot import sealer" >&2; exit 2; }

if [ ! -x "$work/t/helper/test-tool" ]; then
	echo "exporting $tag from $src into $work and building it (a few minutes)" >&2
	mkdir -p "$work"
	if [ -f "$src/Makefile" ] && [ -d "$src/t" ] && [ ! -e "$src/.git" ]; then
		grep -q "^DEF_VER=v$version\$" "$src/GIT-VERSION-GEN" ||
			{ echo "$src is not git $version's source" >&2; exit 2; }
		cp -a "$src/." "$work/"
	else
		git -C "$src" archive --format=tar "$tag" | tar -x -C "$work"
	fi
	make -C "$work" -j"$(nproc)" NO_PERL=1 NO_PYTHON=1 NO_TCLTK=1 NO_GETTEXT=1 \
		NO_CURL=1 NO_EXPAT=1 NO_OPENSSL=1 all >"$work/build.log" 2>&1 ||
		{ tail -20 "$work/build.log" >&2; exit 1; }
fi

cd "$work/t"
status=0
for script in t0021-conversion.sh t2080-parallel-checkout-basics.sh t2082-parallel-checkout-attributes.sh; do
	copy="${script%.sh}-sealer.sh"
	sed "s#test-tool rot13-filter#$python $filter#g" "$script" >"$copy"
	if grep -q 'test-tool rot13-filter' "$copy" || ! grep -q "$filter" "$copy"; then
		echo "$script: substitution failed" >&2
		exit 1
	fi
	if timeout "${SEALER_SUITE_TIMEOUT:-900}" sh "$copy" >"$work/${copy%.sh}.out" 2>&1; then
		result=passed
	else
		result="FAILED (exit $?)"
		status=1
	fi
	summary=$(grep -E '^# (passed|failed|still have)' "$work/${copy%.sh}.out" | tr '\n' ' ')
	echo "$script with sealer's rot13 filter: $result; $summary"
	grep -E '^not ok' "$work/${copy%.sh}.out" || true
done
echo "output: $work/t/*-sealer.sh, $work/*-sealer.out"
exit $status
