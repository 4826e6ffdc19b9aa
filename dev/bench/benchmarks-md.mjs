// Rewrites the results section of BENCHMARKS.md (between the bench:results markers).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { projectRoot } from './paths.mjs';

const START_MARK = '<!-- bench:results:start -->';
const END_MARK = '<!-- bench:results:end -->';

export function writeResults(text, file = path.join(projectRoot, 'BENCHMARKS.md')) {
	const current = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
	// A blank line after the start mark keeps the file as Prettier formats it.
	const section = `${START_MARK}\n\n${text}\n${END_MARK}`;
	const start = current.indexOf(START_MARK);
	const end = current.indexOf(END_MARK);
	const next =
		start >= 0 && end > start
			? current.slice(0, start) + section + current.slice(end + END_MARK.length)
			: `${current.trimEnd()}\n\n## Results\n\n${section}\n`;
	writeFileSync(file, next);
	return file;
}
