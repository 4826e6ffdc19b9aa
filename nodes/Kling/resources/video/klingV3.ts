import type { INodeProperties } from 'n8n-workflow';

import { multiShotFields } from './multiShot';

type Show = { resource: string[]; operation: string[] };

/**
 * Fields of Text/Image to Video shown only for kling-v3 (kling-api-more.md §2): multi-shot.
 * Its 4K mode and 3–15 s durations are options of the general Mode and Duration fields.
 */
export function klingV3Fields(show: Show): INodeProperties[] {
	return multiShotFields({ ...show, model: ['kling-v3'] }, true);
}
