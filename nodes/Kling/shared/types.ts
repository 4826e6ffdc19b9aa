import type { IDataObject } from 'n8n-workflow';

export type VideoKind =
	| 'text2video'
	| 'image2video'
	| 'multi-image2video'
	| 'advanced-lip-sync'
	| 'avatar/image2video'
	| 'custom-voices'
	| 'omni-video'
	| 'motion-control'
	| 'effects'
	| 'video-extend'
	/** Any task of Kling's new path-addressed API, read with GET /tasks?task_ids= (api2/). */
	| 'tasks';
/** Kling's image task kinds (kling-api-more.md §9), named after their path under /v1/images. */
export type ImageKind =
	| 'generations'
	| 'omni-image'
	| 'multi-image2image'
	| 'editing/expand'
	| 'kolors-virtual-try-on';
export type TaskKind = VideoKind | ImageKind;

export interface KlingEnvelope<T = IDataObject> {
	code: number;
	message?: string;
	request_id?: string;
	data?: T;
}

export interface KlingVideo extends IDataObject {
	id?: string;
	url?: string;
	duration?: string;
}

export interface KlingTask extends IDataObject {
	task_id: string;
	task_status: string;
	task_status_msg?: string;
	task_info?: { external_task_id?: string };
	task_result?: {
		videos?: KlingVideo[];
		images?: KlingImage[];
		series_images?: KlingImage[];
		voices?: IDataObject[];
		audios?: IDataObject[];
	};
}

/** One generated image of an image task: `task_result.images[]` (omni series: `series_images[]`). */
export interface KlingImage extends IDataObject {
	index?: number;
	url?: string;
	watermark_url?: string;
}

export type TaskState = 'running' | 'succeeded' | 'failed';
