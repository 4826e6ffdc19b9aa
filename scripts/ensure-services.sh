#!/usr/bin/env bash
# Makes sure Redis and PostgreSQL (Debian packages) are on this machine for the queue-mode tier,
# installing them when missing (apt-get update first, only then). Nothing is started or enabled
# as a system service here: dev/services.mjs runs private instances on 127.0.0.1 with temp data.
# Prints REDIS_SERVER=<path> and PG_BIN=<folder of initdb/postgres/psql> on stdout.
set -euo pipefail

find_pg_bin() {
	local dir
	for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
		if [ -x "$dir/initdb" ] && [ -x "$dir/postgres" ] && [ -x "$dir/psql" ]; then
			echo "$dir"
			return 0
		fi
	done
	return 1
}

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
find_pg_bin >/dev/null || missing+=(postgresql)

if [ "${#missing[@]}" -gt 0 ]; then
	echo "Installing ${missing[*]} (Debian packages) for the queue-mode tier..." >&2
	sudo_cmd=()
	if [ "$(id -u)" -ne 0 ]; then
		command -v sudo >/dev/null 2>&1 || { echo "Need root or sudo to install ${missing[*]}" >&2; exit 1; }
		sudo_cmd=(sudo)
	fi
	export DEBIAN_FRONTEND=noninteractive
	# The packages' own post-install scripts may try to start system services; in containers
	# without an init system that is refused, which is fine: we run private instances.
	"${sudo_cmd[@]}" apt-get update >&2
	"${sudo_cmd[@]}" apt-get install -y --no-install-recommends "${missing[@]}" >&2
fi

redis="$(command -v redis-server)"
pg_bin="$(find_pg_bin)"
echo "REDIS_SERVER=$redis"
echo "PG_BIN=$pg_bin"
