import type { INodeProperties } from 'n8n-workflow';

import {
	DEFAULT_CFG_SCALE,
	DEFAULT_MAX_CONCURRENT_TASKS,
	DEFAULT_MAX_WAIT_MIN,
	DEFAULT_POLL_INTERVAL_S,
} from './constants';
import { modelOptions, modelsUsingCfgScale, modelsWithFixedMode, THREE_TO_FIFTEEN } from './models';
import type { TaskKind } from './types';

/** Durations only kling-v3 takes (3–15 s besides 5 and 10). */
const KLING_V3_ONLY_DURATIONS = THREE_TO_FIFTEEN.filter(
	(seconds) => !['5', '10'].includes(seconds),
);

type Show = { resource: string[]; operation: string[] };

export function modelField(show: Show, kind: TaskKind, defaultModel: string): INodeProperties {
	return {
		displayName: 'Model',
		name: 'model',
		type: 'options',
		options: modelOptions(kind),
		// Kling adds models faster than this package is released: a model ID given by expression
		// is sent as it is, and the editor does not flag it as "not supported".
		allowArbitraryValues: true,
		default: defaultModel,
		description:
			'Which Kling model generates the video. Any other model ID can be given with an expression.',
		displayOptions: { show },
		routing: { send: { type: 'body', property: 'model_name' } },
	};
}

export function promptField(show: Show, required: boolean): INodeProperties {
	return {
		displayName: 'Prompt',
		name: 'prompt',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		required,
		placeholder: 'e.g. A red fox trotting through fresh snow at dawn, cinematic',
		description:
			'What the video should show: subject, action, scene and style. Up to 2,500 characters, any language.',
		displayOptions: { show },
		routing: { send: { type: 'body', property: 'prompt' } },
	};
}

/** CFG Scale (0 to 1), defaulting to Kling's 0.5. */
export function cfgScaleField(
	show: Record<string, string[]>,
	description: string,
): INodeProperties {
	return {
		displayName: 'CFG Scale',
		name: 'cfgScale',
		type: 'number',
		typeOptions: { minValue: 0, maxValue: 1, numberPrecision: 2 },
		default: DEFAULT_CFG_SCALE,
		description,
		displayOptions: { show },
	};
}

export function commonFields(show: Show, withAspectRatio: boolean): INodeProperties[] {
	const fields: INodeProperties[] = [
		{
			displayName: 'Negative Prompt',
			name: 'negativePrompt',
			type: 'string',
			typeOptions: { rows: 2 },
			default: '',
			placeholder: 'e.g. blurry, text, watermark',
			description: 'What the video should avoid. Up to 2,500 characters.',
			displayOptions: { show },
			routing: { send: { type: 'body', property: 'negative_prompt' } },
		},
		{
			displayName: 'Mode',
			name: 'mode',
			type: 'options',
			options: [
				{
					name: 'Standard',
					value: 'std',
					description: 'About 720p, faster and cheaper; good for drafts and batches',
				},
				{
					name: 'Professional',
					value: 'pro',
					description: 'About 1080p and more detail; costs roughly 1.75x Standard and takes longer',
				},
				{
					name: '4K',
					value: '4k',
					description: 'Kling-v3 only: 4K, about 3 units per second (sound included)',
				},
			],
			default: 'std',
			description:
				'Quality level. Not shown for Master models: they have one fixed quality and ignore it.',
			displayOptions: { show, hide: { model: modelsWithFixedMode() } },
			routing: { send: { type: 'body', property: 'mode' } },
		},
		{
			displayName: 'Duration',
			name: 'duration',
			type: 'options',
			options: [
				{ name: '5 Seconds', value: '5' },
				{ name: '10 Seconds', value: '10' },
				...KLING_V3_ONLY_DURATIONS.map((seconds) => ({
					name: `${seconds} Seconds (Kling-v3 Only)`,
					value: seconds,
				})),
			],
			default: '5',
			description:
				'Length of the video. 10 seconds costs twice as much as 5. Only kling-v3 takes 3 to 15 seconds (billed per second).',
			displayOptions: { show },
			routing: { send: { type: 'body', property: 'duration' } },
		},
	];
	if (withAspectRatio) {
		fields.push({
			displayName: 'Aspect Ratio',
			name: 'aspectRatio',
			type: 'options',
			options: [
				{ name: '16:9 (Landscape)', value: '16:9' },
				{ name: '9:16 (Portrait, Reels/Shorts/TikTok)', value: '9:16' },
				{ name: '1:1 (Square)', value: '1:1' },
			],
			default: '16:9',
			description: 'Shape of the video. Kling accepts only these three.',
			displayOptions: { show },
			routing: { send: { type: 'body', property: 'aspect_ratio' } },
		});
	}
	fields.push({
		...cfgScaleField(
			{ ...show, model: modelsUsingCfgScale() },
			'How strictly the video follows the prompt (0 = freer, 1 = stricter). Shown only for the models that use it (kling-v1, v1.5 and v1.6); newer models ignore it.',
		),
		routing: { send: { type: 'body', property: 'cfg_scale' } },
	});
	return fields;
}

/** How one entry of an image list is given: as URL/base64 text or from a binary property. */
export interface ImageListSpec {
	name: string;
	displayName: string;
	max: number;
	description: string;
	/** Omitted: the field carries no `required` flag at all. */
	required?: boolean;
	/** Example URL shown in each entry's text field. */
	urlPlaceholder: string;
	sourceDescription?: string;
	/** Further values each entry has after the image itself (e.g. a role). */
	extraValues?: INodeProperties[];
}

const IMAGE_SOURCE_DESCRIPTION =
	'Whether this image is given as a URL/base64 text or taken from a binary property of the input item';

/** A list of images, each given as URL/base64 or as a binary property of the input item. */
export function imageListField(
	show: Record<string, string[]>,
	spec: ImageListSpec,
): INodeProperties {
	return {
		displayName: spec.displayName,
		name: spec.name,
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, maxAllowedFields: spec.max },
		default: {},
		placeholder: 'Add Image',
		...(spec.required === undefined ? {} : { required: spec.required }),
		description: spec.description,
		displayOptions: { show },
		options: [
			{
				displayName: 'Image',
				name: 'image',
				values: [
					{
						displayName: 'Source',
						name: 'source',
						type: 'options',
						options: [
							{ name: 'URL or Base64', value: 'url' },
							{ name: 'Binary File', value: 'binary' },
						],
						default: 'url',
						description: spec.sourceDescription ?? IMAGE_SOURCE_DESCRIPTION,
					},
					{
						displayName: 'Image',
						name: 'url',
						type: 'string',
						default: '',
						placeholder: spec.urlPlaceholder,
						description: 'Image URL or base64 image data',
						displayOptions: { show: { source: ['url'] } },
					},
					{
						displayName: 'Input Binary Field',
						name: 'binaryProperty',
						type: 'string',
						default: 'data',
						description: 'Binary property of the input item that holds this image',
						displayOptions: { show: { source: ['binary'] } },
					},
					...(spec.extraValues ?? []),
				],
			},
		],
	};
}

/** Where a single input image comes from, and its URL/base64 field and binary-property twin. */
export interface ImageInputSpec {
	source: { name: string; displayName: string; description: string };
	urlChoiceDescription: string;
	binaryChoiceDescription: string;
	image: { name: string; displayName: string; placeholder: string; description: string };
	binary: { name: string; description: string };
}

export function imageInputFields(
	show: Record<string, string[]>,
	spec: ImageInputSpec,
): INodeProperties[] {
	return [
		{
			displayName: spec.source.displayName,
			name: spec.source.name,
			type: 'options',
			options: [
				{ name: 'URL or Base64', value: 'url', description: spec.urlChoiceDescription },
				{ name: 'Binary File', value: 'binary', description: spec.binaryChoiceDescription },
			],
			default: 'url',
			description: spec.source.description,
			displayOptions: { show },
		},
		{
			displayName: spec.image.displayName,
			name: spec.image.name,
			type: 'string',
			default: '',
			required: true,
			placeholder: spec.image.placeholder,
			description: spec.image.description,
			displayOptions: { show: { ...show, [spec.source.name]: ['url'] } },
		},
		{
			displayName: 'Input Binary Field',
			name: spec.binary.name,
			type: 'string',
			default: 'data',
			required: true,
			description: spec.binary.description,
			displayOptions: { show: { ...show, [spec.source.name]: ['binary'] } },
		},
	];
}

/** An optional multi-line text field (a prompt that may be left empty). */
export function optionalTextField(
	show: Record<string, string[]>,
	spec: {
		name: string;
		displayName: string;
		rows: number;
		placeholder?: string;
		description: string;
	},
): INodeProperties {
	return {
		displayName: spec.displayName,
		name: spec.name,
		type: 'string',
		typeOptions: { rows: spec.rows },
		default: '',
		...(spec.placeholder === undefined ? {} : { placeholder: spec.placeholder }),
		description: spec.description,
		displayOptions: { show },
	};
}

/** Standard and Professional as the per-second-billed operations name them. */
const STANDARD_AND_PRO_MODES = [
	{ name: 'Standard (720p)', value: 'std', description: 'Faster and cheaper' },
	{ name: 'Professional (1080p)', value: 'pro', description: 'More detail, costs more' },
];

export function perSecondModeField(
	show: Show,
	description: string,
	fourK?: { description: string },
): INodeProperties {
	return {
		displayName: 'Mode',
		name: 'mode',
		type: 'options',
		options: [
			...STANDARD_AND_PRO_MODES,
			...(fourK ? [{ name: '4K', value: '4k', description: fourK.description }] : []),
		],
		default: 'std',
		description,
		displayOptions: { show },
	};
}

/** Aspect ratio of the newer (per-second) operations: the three shapes Kling lists. */
export function perSecondAspectRatioField(show: Show, description: string): INodeProperties {
	return {
		displayName: 'Aspect Ratio',
		name: 'aspectRatio',
		type: 'options',
		options: [
			{ name: '16:9 (Landscape)', value: '16:9' },
			{ name: '9:16 (Portrait)', value: '9:16' },
			{ name: '1:1 (Square)', value: '1:1' },
		],
		default: '16:9',
		description,
		displayOptions: { show },
	};
}

/** Duration of 3 to 15 seconds, billed per second. */
export function perSecondDurationField(show: Show, description: string): INodeProperties {
	return {
		displayName: 'Duration',
		name: 'duration',
		type: 'options',
		options: THREE_TO_FIFTEEN.map((seconds) => ({ name: `${seconds} Seconds`, value: seconds })),
		default: '5',
		description,
		displayOptions: { show },
	};
}

export function waitField(show: Show): INodeProperties {
	return {
		displayName: 'Wait for Completion',
		name: 'waitForCompletion',
		type: 'boolean',
		default: true,
		description:
			'Whether to wait until the video is ready and output it as binary data. Turn off to return the task at once and fetch it later with Get Task (or a callback URL).',
		displayOptions: { show },
	};
}

/** Get Task's own wait switch: it already is the "fetch it later" step. */
export function getTaskWaitField(show: Show): INodeProperties {
	return {
		...waitField(show),
		description:
			"Whether to wait until the task has finished and output the video as binary data. Turn off to return the task's current status at once.",
	};
}

const pollInterval: INodeProperties = {
	displayName: 'Poll Interval (Seconds)',
	name: 'pollInterval',
	type: 'number',
	typeOptions: { minValue: 1, maxValue: 300 },
	default: DEFAULT_POLL_INTERVAL_S,
	description: 'Seconds between status checks while waiting. Kling advises 5 to 10.',
};

const maxWaitTime: INodeProperties = {
	displayName: 'Max Wait Time (Minutes)',
	name: 'maxWaitTime',
	type: 'number',
	typeOptions: { minValue: 0.05, numberPrecision: 2 },
	default: DEFAULT_MAX_WAIT_MIN,
	description:
		'How long to wait for one video before failing. The task keeps running at Kling and is not paid again: get it later by its task ID. Pro and 10-second videos can take 10 minutes or more.',
};

const downloadVideo: INodeProperties = {
	displayName: 'Download Video',
	name: 'downloadVideo',
	type: 'boolean',
	default: true,
	description:
		"Whether to download the MP4 into the item's binary data. Kling deletes videos after 30 days, so keep a copy.",
};

const binaryPropertyName: INodeProperties = {
	displayName: 'Put Output File in Field',
	name: 'binaryPropertyName',
	type: 'string',
	default: 'data',
	description: 'Name of the binary property the video is written to',
};

const maxConcurrentTasks: INodeProperties = {
	displayName: 'Max Tasks in Flight',
	name: 'maxConcurrentTasks',
	type: 'number',
	typeOptions: { minValue: 1, maxValue: 50 },
	default: DEFAULT_MAX_CONCURRENT_TASKS,
	description:
		"How many of this node's videos may generate at Kling at the same time. Set it to your account's concurrency; if Kling answers that the account is full, the node lowers it and queues.",
};

const externalTaskId: INodeProperties = {
	displayName: 'External Task ID',
	name: 'externalTaskId',
	type: 'string',
	default: '',
	placeholder: 'e.g. {{ $json.rowId }}',
	description:
		'Your own ID for the task. The node sends it with a short hash of the inputs appended (your ID, a dash, 8 hex characters), so the same ID with other inputs is a new task. Empty: derived from workflow, node, item and inputs, so retries never pay twice. Set a new value to force a fresh video for the same inputs.',
};

const reuseWindowHours: INodeProperties = {
	displayName: 'Resume Identical Tasks Within (Hours)',
	name: 'reuseWindowHours',
	type: 'number',
	typeOptions: { minValue: 0, numberPrecision: 3 },
	default: 24,
	description:
		'A run with the same inputs (same workflow, node, item, prompt, images, options) within this many hours resumes the task already made instead of paying for a new one; the output then says reused: true. 0: every execution makes a new task. Ignored when External Task ID is set.',
};

export const callbackUrlOption: INodeProperties = {
	displayName: 'Callback URL',
	name: 'callbackUrl',
	type: 'string',
	default: '',
	placeholder: 'e.g. https://n8n.example.com/webhook/kling',
	description:
		'Https address Kling calls whenever the task status changes, e.g. an n8n Webhook node',
};

const sound: INodeProperties = {
	displayName: 'Sound',
	name: 'sound',
	type: 'boolean',
	default: false,
	description:
		'Whether to generate sound with the video. Only kling-v2-6 (Professional mode) and kling-v3; costs extra.',
};

const axis = (name: string, displayName: string, description: string): INodeProperties => ({
	displayName,
	name,
	type: 'number',
	typeOptions: { minValue: -10, maxValue: 10 },
	default: 0,
	description,
	displayOptions: { show: { type: ['simple'] } },
});

const cameraControl: INodeProperties = {
	displayName: 'Camera Control',
	name: 'cameraControl',
	type: 'fixedCollection',
	default: {},
	description: 'Camera movement. Only kling-v1 (text to video) and kling-v1-5 (image to video).',
	options: [
		{
			displayName: 'Settings',
			name: 'settings',
			values: [
				{
					displayName: 'Movement',
					name: 'type',
					type: 'options',
					options: [
						{ name: 'Down and Back', value: 'down_back' },
						{ name: 'Forward and Up', value: 'forward_up' },
						{ name: 'Left Turn Forward', value: 'left_turn_forward' },
						{ name: 'Right Turn Forward', value: 'right_turn_forward' },
						{ name: 'Simple (One Axis)', value: 'simple' },
					],
					default: 'simple',
					description:
						'A preset camera move, or Simple to move along one axis set below (exactly one axis non-zero)',
				},
				axis(
					'horizontal',
					'Horizontal',
					'Move sideways: negative left, positive right (-10 to 10)',
				),
				axis('vertical', 'Vertical', 'Move up or down: negative down, positive up (-10 to 10)'),
				axis('pan', 'Pan', 'Rotate up or down: negative down, positive up (-10 to 10)'),
				axis('tilt', 'Tilt', 'Rotate sideways: negative left, positive right (-10 to 10)'),
				axis('roll', 'Roll', 'Roll: negative counter-clockwise, positive clockwise (-10 to 10)'),
				axis('zoom', 'Zoom', 'Negative narrows, positive widens the field of view (-10 to 10)'),
			],
		},
	],
};

/** The Options collection of an operation, its options in alphabetical order. */
export function optionsCollection(
	show: Record<string, string[]>,
	options: INodeProperties[],
): INodeProperties {
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show },
		options: [...options].sort((a, b) => a.displayName.localeCompare(b.displayName)),
	};
}

const waitingOptions = [pollInterval, maxWaitTime, downloadVideo, binaryPropertyName];
const submitOptions = [
	...waitingOptions,
	maxConcurrentTasks,
	externalTaskId,
	reuseWindowHours,
	callbackUrlOption,
];

export function submitOptionsField(
	show: Show,
	extras: { camera: boolean; sound: boolean },
): INodeProperties {
	return optionsCollection(show, [
		...submitOptions,
		...(extras.camera ? [cameraControl] : []),
		...(extras.sound ? [sound] : []),
	]);
}

export function getTaskOptionsField(show: Show): INodeProperties {
	return optionsCollection(show, waitingOptions);
}
