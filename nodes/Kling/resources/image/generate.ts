import type { INodeProperties } from 'n8n-workflow';

import {
	aspectRatioField,
	countField,
	modelField,
	modelOption,
	promptField,
	show,
	submitOptionsField,
	waitField,
} from './fields';

const where = show('generate');
const withReference = { ...where, referenceImage: ['url', 'binary'] };

export const imageGenerateDescription: INodeProperties[] = [
	modelField(
		where,
		[
			modelOption(
				'kling-v3',
				'Kling v3',
				'Newest image model (default of the 2026 docs); 1k or 2k',
			),
			modelOption('kling-v2-1', 'Kling v2.1', 'The model for subject and face references'),
		],
		'kling-v3',
		'Which Kling model generates the images. Older IDs (kling-v1, kling-v1-5, kling-v2, kling-v2-new) are still sent when given by expression; Kling may refuse them.',
	),
	promptField(where, true, 'What the image should show: subject, scene, style.'),
	{
		displayName: 'Negative Prompt',
		name: 'negativePrompt',
		type: 'string',
		typeOptions: { rows: 2 },
		default: '',
		placeholder: 'e.g. blurry, text, watermark',
		description:
			'What the image should avoid. Up to 2,500 characters. Kling does not accept it together with a reference image.',
		displayOptions: { show: where },
	},
	aspectRatioField(where, false),
	{
		displayName: 'Resolution',
		name: 'resolution',
		type: 'options',
		options: [
			{ name: '1K', value: '1k' },
			{ name: '2K', value: '2k' },
		],
		default: '1k',
		description: 'Output resolution (which ones a model offers is decided by Kling)',
		displayOptions: { show: where },
	},
	countField(where),
	{
		displayName: 'Reference Image',
		name: 'referenceImage',
		type: 'options',
		options: [
			{ name: 'None', value: 'none', description: 'Generate from the prompt only' },
			{
				name: 'URL or Base64',
				value: 'url',
				description: 'A public image URL, or the image as base64 text',
			},
			{
				name: 'Binary File',
				value: 'binary',
				description: 'An image in a binary property of the input item',
			},
		],
		default: 'none',
		description:
			'An optional image to start from. JPG or PNG, at most 10 MB, each side at least 300 px, proportions between 1:2.5 and 2.5:1.',
		displayOptions: { show: where },
	},
	{
		displayName: 'Image',
		name: 'image',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. https://example.com/photo.jpg',
		description: 'The reference image: an image URL or base64 image data',
		displayOptions: { show: { ...where, referenceImage: ['url'] } },
	},
	{
		displayName: 'Input Binary Field',
		name: 'imageBinaryProperty',
		type: 'string',
		default: 'data',
		required: true,
		description: 'Name of the binary property of the input item that holds the reference image',
		displayOptions: { show: { ...where, referenceImage: ['binary'] } },
	},
	{
		displayName: 'Reference Type',
		name: 'imageReference',
		type: 'options',
		options: [
			{ name: 'None', value: 'none', description: 'Use the image as a general reference' },
			{
				name: 'Subject',
				value: 'subject',
				description: 'Keep the subject (person, animal, object)',
			},
			{
				name: 'Face',
				value: 'face',
				description: 'Keep the face; the image must show exactly one face',
			},
		],
		default: 'none',
		description:
			'What to keep from the reference image. Subject and face references need kling-v2-1.',
		displayOptions: { show: withReference },
	},
	{
		displayName: 'Image Fidelity',
		name: 'imageFidelity',
		type: 'number',
		typeOptions: { minValue: 0, maxValue: 1, numberPrecision: 2 },
		default: 0.5,
		description: 'How closely the result follows the reference image (0 to 1)',
		displayOptions: { show: withReference },
	},
	{
		displayName: 'Human Fidelity',
		name: 'humanFidelity',
		type: 'number',
		typeOptions: { minValue: 0, maxValue: 1, numberPrecision: 2 },
		default: 0.45,
		description: 'How closely a person in a subject reference is kept (0 to 1)',
		displayOptions: { show: { ...withReference, imageReference: ['subject'] } },
	},
	waitField(where),
	submitOptionsField(where),
];
