#!/bin/sh
# Unpack the source of the installed git (Debian's source package) into DIR,
# for run_git_suite.sh. Adds a deb-src entry for the machine's Debian suites if
# there is none (with sudo when not root). Prints the tree's path.
#
#   tests/gitfilter/fetch_git_source.sh DIR
set -eu
dir=${1:?usage: fetch_git_source.sh DIR}
version=$(git --version | sed -n 's/^git version \([0-9.]*\).*/\1/p')
tree="$dir/git-$version"
if [ -f "$tree/Makefile" ]; then echo "$tree"; exit 0; fi
mkdir -p "$dir"
sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
if ! grep -rqs '^Types:.*deb-src\|^deb-src' /etc/apt/sources.list /etc/apt/sources.list.d/; then
	if [ -f /etc/apt/sources.list.d/debian.sources ]; then
		sed -e 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources |
			$sudo tee /etc/apt/sources.list.d/sealer-deb-src.sources >/dev/null
	else
		sed -n 's/^deb /deb-src /p' /etc/apt/sources.list |
			$sudo tee /etc/apt/sources.list.d/sealer-deb-src.list >/dev/null
	fi
	$sudo apt-get update -q >&2
fi
(cd "$dir" && apt-get source --download-only -q "git=$(dpkg-query -W -f='${Version}' git)" >&2)
tar -xf "$dir"/git_"$version".orig.tar.* -C "$dir"
[ -f "$tree/Makefile" ] || { echo "no git source tree in $tree" >&2; exit 1; }
echo "$tree"
