import type { TaskKind } from './types';

export const CREDENTIAL_TYPE = 'klingApi';
export const DEFAULT_BASE_URL = 'https://api-singapore.klingai.com';

/** The credential's Base URL as an n8n expression: default when empty, no trailing slash. */
export const BASE_URL_EXPRESSION = `={{ String($credentials.baseUrl || "${DEFAULT_BASE_URL}").trim().replace(/\\/+$/, "") }}`;

/** The path of each task kind on Kling's legacy API: POST creates, GET lists, GET /{id} queries. */
export const TASK_PATHS: Record<TaskKind, string> = {
	text2video: '/v1/videos/text2video',
	image2video: '/v1/videos/image2video',
	'multi-image2video': '/v1/videos/multi-image2video',
	'advanced-lip-sync': '/v1/videos/advanced-lip-sync',
	'avatar/image2video': '/v1/videos/avatar/image2video',
	'custom-voices': '/v1/general/custom-voices',
	generations: '/v1/images/generations',
	'omni-image': '/v1/images/omni-image',
	'multi-image2image': '/v1/images/multi-image2image',
	'editing/expand': '/v1/images/editing/expand',
	'kolors-virtual-try-on': '/v1/images/kolors-virtual-try-on',
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
	'advanced-lip-sync',
	'avatar/image2video',
	'omni-video',
	'motion-control',
	'effects',
	'video-extend',
	'tasks',
];

/**
 * The URL Get Task declares: the chosen task type's path (text to video first when it is found
 * automatically; the others are tried if Kling does not know the task there) and the task ID.
 */
export const GET_TASK_URL_EXPRESSION = `={{ $parameter.taskKind === "tasks" ? "/tasks?task_ids=" + encodeURIComponent(String($parameter.taskId).trim()) : ((${JSON.stringify(TASK_PATHS)})[$parameter.taskKind] ?? "${TASK_PATHS[TASK_KINDS[0]]}") + "/" + encodeURIComponent(String($parameter.taskId).trim()) }}`;

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

export const DEFAULT_REUSE_WINDOW_H = 24;

/** Tries of a request that meets 5xx, resets, timeouts or 1302 before the item fails. */
export const MAX_TRANSIENT_ATTEMPTS = 5;
/** Creates refused with 1303 (account full) before the item fails (about 8 min of backoff). */
export const MAX_BUSY_ATTEMPTS = 20;
/** Rounds of look-up by external_task_id (with backoff) after a create whose outcome is unknown. */
export const LOOKUP_ROUNDS = 3;
/** Re-sends of a create whose outcome stayed unknown after the look-ups. */
export const MAX_CREATE_RESENDS = 1;
