// Where the project is, without loading n8n (dev/engine.mjs does that on import).
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const MB = 1024 * 1024;
/** The poll interval every throughput scenario uses (seconds). */
export const POLL_S = 1;
