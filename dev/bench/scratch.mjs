// Side effect, imported first by every bench entry point (before dev/engine.mjs is loaded):
// everything n8n writes — its user folder, binary data — goes to one temporary folder that is
// removed when the process exits.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { projectRoot } from './paths.mjs';

if (!existsSync(path.join(projectRoot, 'dist/nodes/Kling/Kling.node.js'))) {
	console.error('dist/ is missing: run `npm run build` first (the benchmark runs the built node).');
	process.exit(2);
}

export const scratch = mkdtempSync(path.join(os.tmpdir(), 'kling-bench-'));
process.env.N8N_USER_FOLDER = path.join(scratch, 'n8n-user');
// n8n's own logger would print the errors of scenarios that provoke them; the bench reports them.
process.env.N8N_LOG_LEVEL ??= 'silent';
// An instance encryption key up front, so n8n-core does not announce generating one.
mkdirSync(path.join(scratch, 'n8n-user/.n8n'), { recursive: true });
writeFileSync(
	path.join(scratch, 'n8n-user/.n8n/config'),
	JSON.stringify({ encryptionKey: 'kling-bench-key' }),
	{ mode: 0o600 },
);
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));
