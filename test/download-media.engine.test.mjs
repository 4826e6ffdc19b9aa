// The one download loop (shared/tasks.ts downloadMedia) as the image and video operations use
// it: a link that stays expired after one renewal ends in each resource's own error, naming
// the task and (for images) the image number, after exactly one renewal of the task.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';

import { runKling } from '../dev/engine.mjs';
import { apiKeyCredentials, startFake, useFastRetries } from '../dev/kling.mjs';

let fake;
beforeAll(async () => {
	useFastRetries();
	fake = await startFake();
});
afterAll(async () => await fake.close());
beforeEach(() => fake.reset());

const downloads = () => fake.log.filter((entry) => entry.kind === 'download');

describe('download of a finished task whose link stays expired', () => {
	it('image: fails with the image error after one renewal (two downloads)', async () => {
		fake.setOptions({ faults: { download404: 2 } });
		const result = await runKling({
			parameters: {
				resource: 'image',
				operation: 'generate',
				prompt: 'A kite',
				options: { pollInterval: 1 },
			},
			credentials: apiKeyCredentials(fake),
		});
		expect(result.status).toBe('error');
		expect(result.error.message).toMatch(
			/^Could not download image 0 of Kling task \S+: HTTP 404 \(the link has probably expired\)$/,
		);
		expect(result.error.description).toContain('Run Image → Get Task with task ID');
		expect(downloads()).toHaveLength(2);
	});

	it('video: fails with the video error after one renewal (two downloads)', async () => {
		fake.setOptions({ faults: { download403: 2 } });
		const result = await runKling({
			parameters: {
				resource: 'video',
				operation: 'textToVideo',
				prompt: 'A kite',
				options: { pollInterval: 1 },
			},
			credentials: apiKeyCredentials(fake),
		});
		expect(result.status).toBe('error');
		expect(result.error.message).toMatch(
			/^Could not download the video of Kling task \S+: HTTP 403 \(the link has probably expired\)$/,
		);
		expect(result.error.description).toContain('Run Get Task with task ID');
		expect(downloads()).toHaveLength(2);
	});
});
