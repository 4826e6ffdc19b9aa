import type { IDataObject } from 'n8n-workflow';

export type TaskKind =
	| 'text2video'
	| 'image2video'
	| 'multi-image2video'
	| 'omni-video'
	| 'motion-control'
	| 'effects'
	| 'video-extend'
	/** Any task of Kling's new path-addressed API, read with GET /tasks?task_ids= (api2/). */
	| 'tasks';

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
	task_result?: { videos?: KlingVideo[] };
}

export type TaskState = 'running' | 'succeeded' | 'failed';
