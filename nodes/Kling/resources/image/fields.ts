import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { DEFAULT_MAX_CONCURRENT_TASKS, DEFAULT_MAX_WAIT_MIN } from '../../shared/constants';
import { callbackUrlOption, optionsCollection } from '../../shared/descriptions';
import { DEFAULT_IMAGE_POLL_INTERVAL_S, IMAGE_ASPECT_RATIOS } from '../../shared/images';

export type Show = Record<string, string[]>;

export function show(operation: string): Show {
	return { resource: ['image'], operation: [operation] };
}

/** A model choice, named "<Name> (<model ID>)" as in the video operations. */
export function modelOption(id: string, name: string, description: string): INodePropertyOptions {
	return { name: `${name} (${id})`, value: id, description };
}

export function modelField(
	where: Show,
	models: INodePropertyOptions[],
	defaultModel: string,
	description: string,
): INodeProperties {
	return {
		displayName: 'Model',
		name: 'model',
		type: 'options',
		// A newer model ID given by expression is sent as it is, without an editor warning.
		allowArbitraryValues: true,
		options: models,
		default: defaultModel,
		description: `${description} Any other model ID can be given with an expression`,
		displayOptions: { show: where },
	};
}

export function promptField(where: Show, required: boolean, description: string): INodeProperties {
	return {
		displayName: 'Prompt',
		name: 'prompt',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		required,
		placeholder: 'e.g. A ceramic teapot on a wooden table, soft morning light',
		description: `${description} Up to 2,500 characters`,
		displayOptions: { show: where },
	};
}

export function countField(where: Show): INodeProperties {
	return {
		displayName: 'Number of Images',
		name: 'numberOfImages',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 9 },
		default: 1,
		description:
			'How many images to generate (1 to 9). Each one is paid, and each takes one place of the account concurrency at Kling while it runs.',
		displayOptions: { show: where },
	};
}

export function aspectRatioField(where: Show, withAuto: boolean): INodeProperties {
	const ratios = IMAGE_ASPECT_RATIOS.map((ratio) => ({ name: ratio, value: ratio }));
	const defaultRatio = withAuto ? 'auto' : '16:9';
	return {
		displayName: 'Aspect Ratio',
		name: 'aspectRatio',
		type: 'options',
		options: withAuto ? [{ name: 'Auto', value: 'auto' }, ...ratios] : ratios,
		default: defaultRatio,
		description: 'Shape of the generated images (width:height)',
		displayOptions: { show: where },
	};
}

export function imageSourceField(where: Show, what: string): INodeProperties {
	return {
		displayName: 'Image Source',
		name: 'imageSource',
		type: 'options',
		options: [
			{
				name: 'URL or Base64',
				value: 'url',
				description: 'Public image URLs, or images as base64 text',
			},
			{
				name: 'Binary File',
				value: 'binary',
				description:
					'Images in binary properties of the input item (e.g. from Read/Write Files or HTTP Request)',
			},
		],
		default: 'url',
		description: `Where ${what} come from. JPG or PNG, at most 10 MB, each side at least 300 px, proportions between 1:2.5 and 2.5:1.`,
		displayOptions: { show: where },
	};
}

/** A text field (URL or base64) and its binary-property twin, shown by Image Source. */
export function imagePair(
	where: Show,
	name: string,
	displayName: string,
	description: string,
	{ required, defaultProperty }: { required: boolean; defaultProperty: string },
): INodeProperties[] {
	return [
		{
			displayName,
			name,
			type: 'string',
			default: '',
			required,
			placeholder: 'e.g. https://example.com/photo.jpg',
			description: `${description}: an image URL or base64 image data${required ? '' : ' (leave empty for none)'}`,
			displayOptions: { show: { ...where, imageSource: ['url'] } },
		},
		{
			displayName: `${displayName} Binary Field`,
			name: `${name}BinaryProperty`,
			type: 'string',
			default: defaultProperty,
			required,
			description: `${description}: the binary property of the input item that holds it${required ? '' : ' (leave empty for none)'}`,
			displayOptions: { show: { ...where, imageSource: ['binary'] } },
		},
	];
}

export function waitField(where: Show): INodeProperties {
	return {
		displayName: 'Wait for Completion',
		name: 'waitForCompletion',
		type: 'boolean',
		default: true,
		description:
			'Whether to wait until the images are ready and output them as binary data. Turn off to return the task at once and fetch it later with Image → Get Task (or a callback URL).',
		displayOptions: { show: where },
	};
}

const waitingOptions: INodeProperties[] = [
	{
		displayName: 'Poll Interval (Seconds)',
		name: 'pollInterval',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 300 },
		default: DEFAULT_IMAGE_POLL_INTERVAL_S,
		description:
			'Seconds between status checks while waiting. Images usually take 20 to 60 seconds.',
	},
	{
		displayName: 'Max Wait Time (Minutes)',
		name: 'maxWaitTime',
		type: 'number',
		typeOptions: { minValue: 0.05, numberPrecision: 2 },
		default: DEFAULT_MAX_WAIT_MIN,
		description:
			'How long to wait for one task before failing. The task is not lost: fetch it later with Image → Get Task.',
	},
	{
		displayName: 'Download Images',
		name: 'downloadImages',
		type: 'boolean',
		default: true,
		description:
			"Whether to download the images into the item's binary data. Kling deletes them after 30 days, so keep a copy.",
	},
	{
		displayName: 'Put Output File in Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		description:
			'Binary property for a single image (and for each item in One Item per Image mode). Several images on one item go to image_0, image_1, and so on.',
	},
	{
		displayName: 'Output',
		name: 'outputMode',
		type: 'options',
		options: [
			{
				name: 'One Item per Input Item',
				value: 'oneItemPerInput',
				description:
					'All images of a task on one item: data for one image, image_0, image_1, … for several',
			},
			{
				name: 'One Item per Image',
				value: 'oneItemPerImage',
				description: 'One item for each generated image, each with the image in its binary field',
			},
		],
		default: 'oneItemPerInput',
		description: 'How the generated images are put out',
	},
];

const submitOnly: INodeProperties[] = [
	{
		displayName: 'Max Tasks in Flight',
		name: 'maxConcurrentTasks',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 50 },
		default: DEFAULT_MAX_CONCURRENT_TASKS,
		description:
			"How many of this node's tasks may run at Kling at the same time. An image task takes one place of the account concurrency per image; if Kling answers that the account is full, the node lowers it and queues.",
	},
	{
		displayName: 'External Task ID',
		name: 'externalTaskId',
		type: 'string',
		default: '',
		placeholder: 'e.g. {{ $json.rowId }}',
		description:
			'Your own ID for the task, unique in your Kling account. Empty: derived from workflow, node, item and inputs, so retries never pay twice. Set a new value to force fresh images for the same inputs.',
	},
	callbackUrlOption,
];

export function submitOptionsField(where: Show): INodeProperties {
	return optionsCollection(where, [...waitingOptions, ...submitOnly]);
}

export function getTaskOptionsField(where: Show): INodeProperties {
	return optionsCollection(where, waitingOptions);
}
