#!/usr/bin/env bash
# `npm run dev`: n8n-node dev (TypeScript watch, the package linked into n8n's custom nodes
# folder, reload on change) together with the pinned headless n8n from scripts/ensure-n8n.sh,
# instead of the `npx n8n@latest` n8n-node dev would start itself. Open http://localhost:5678.
set -euo pipefail
cd "$(dirname "$0")/.."
folder="${N8N_DEV_USER_FOLDER:-$HOME/.n8n-nodes-kling-dev}"
n8n="$(bash scripts/ensure-n8n.sh)"
# Build first, always: n8n reads the codex (Kling.node.json) and icons from dist/ at start-up, and a
# dist/ left from another checkout would show the editor a different node than the source.
npm run build
# Link the package before n8n starts so it loads the node at start-up (n8n-node dev links it too).
mkdir -p "$folder/.n8n/custom/node_modules"
ln -sfn "$PWD" "$folder/.n8n/custom/node_modules/n8n-nodes-kling"
N8N_DEV_RELOAD=true N8N_USER_FOLDER="$folder" DB_SQLITE_POOL_SIZE=10 "$n8n" start &
n8n_pid=$!
trap 'kill "$n8n_pid" 2>/dev/null || true' EXIT
n8n-node dev --external-n8n --custom-user-folder "$folder"
