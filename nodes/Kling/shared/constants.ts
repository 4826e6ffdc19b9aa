import type { TaskKind, TaskState } from './types';

export const CREDENTIAL_TYPE = 'klingApi';
export const DEFAULT_BASE_URL = 'https://api-singapore.klingai.com';

/** The credential's Base URL as an n8n expression: default when empty, no trailing slash. */
export const BASE_URL_EXPRESSION = `={{ String($credentials.baseUrl || "${DEFAULT_BASE_URL}").trim().replace(/\\/+$/, "") }}`;

/** The path of each task kind on Kling's legacy API: POST creates, GET lists, GET /{id} queries. */
export const TASK_PATHS: Record<TaskKind, string> = {
	text2video: '/v1/videos/text2video',
	image2video: '/v1/videos/image2video',
	'multi-image2video': '/v1/videos/multi-image2video',
	'omni-video': '/v1/videos/omni-video',
	'motion-control': '/v1/videos/motion-control',
	effects: '/v1/videos/effects',
	'video-extend': '/v1/videos/video-extend',
	tasks: '/tasks',
};

/** The kinds Get Task searches in Find Automatically mode, in this order. */
export const TASK_KINDS: TaskKind[] = [
	'text2video',
	'image2video',
	'multi-image2video',
	'omni-video',
	'motion-control',
	'effects',
	'video-extend',
	'tasks',
];

export const MAX_PROMPT_LENGTH = 2500;
export const MAX_IMAGE_BYTES = 10 * 1024 * 1024;
export const MIN_IMAGE_SIDE = 300;
export const MAX_IMAGE_RATIO = 2.5;
export const MAX_MULTI_IMAGES = 4;
export const ASPECT_RATIOS = ['16:9', '9:16', '1:1'];
/** Listed by the old Kling README but rejected by the API. */
export const README_ONLY_ASPECT_RATIOS = ['3:2', '2:3', '3:4', '4:3'];

export const DEFAULT_POLL_INTERVAL_S = 10;
export const DEFAULT_MAX_WAIT_MIN = 15;
export const DEFAULT_MAX_CONCURRENT_TASKS = 3;
export const DEFAULT_CFG_SCALE = 0.5;

/**
 * Delays of the retry module. Exported as one object so the test suite can shorten them;
 * the node itself never changes them.
 */
export const timing = {
	retryBaseDelayMs: 1000,
	retryMaxDelayMs: 30_000,
	/** Kling advises waiting at least 1 s before retrying a 1303 (concurrency) answer. */
	concurrencyBaseDelayMs: 1000,
	concurrencyMaxDelayMs: 30_000,
	/** Minimum gap between two status polls of the same node run, so many tasks never burst. */
	pollSpacingMs: 100,
};

export const MAX_TRANSIENT_ATTEMPTS = 5;

/**
 * Kling's legacy API says `succeed`; its newer API and callbacks say `succeeded`; the original
 * README and some resellers say `completed`.
 */
export function taskState(status: unknown): TaskState {
	const value = String(status ?? '').toLowerCase();
	if (['succeed', 'succeeded', 'completed', 'success'].includes(value)) return 'succeeded';
	if (['failed', 'failure', 'error'].includes(value)) return 'failed';
	return 'running';
}
