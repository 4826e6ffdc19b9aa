import type { INodeProperties } from 'n8n-workflow';

import {
	imageInputFields,
	optionalTextField,
	perSecondAspectRatioField,
	perSecondDurationField,
	submitOptionsField,
	waitField,
} from '../../shared/descriptions';

const showForTurbo = { resource: ['video'], operation: ['turboTextToVideo', 'turboImageToVideo'] };
const showForTurboText = { resource: ['video'], operation: ['turboTextToVideo'] };
const showForTurboImage = { resource: ['video'], operation: ['turboImageToVideo'] };

/**
 * Kling 3.0 Turbo on Kling's new API (kling-api-more.md §11). It needs a credential with an
 * API key; Access Key + Secret Key is refused by that API.
 */
export const videoKlingTurboDescription: INodeProperties[] = [
	{
		displayName: 'Model',
		name: 'model',
		type: 'options',
		// A newer model ID given by expression is sent as it is, without an editor warning.
		allowArbitraryValues: true,
		options: [
			{
				name: 'Kling 3.0 Turbo',
				value: 'kling-3.0-turbo',
				description:
					'Kling-3.0-turbo: fast, always with sound; 3 to 15 s; about 0.8 units/s at 720p, 1.0 at 1080p',
			},
		],
		default: 'kling-3.0-turbo',
		description:
			"Model on Kling's new API. Other new-API model names (e.g. kling-3.0, kling-2.6) can be given with an expression; they are sent with the same body, unchecked.",
		displayOptions: { show: showForTurbo },
	},
	{
		displayName: 'Prompt',
		name: 'prompt',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		required: true,
		placeholder: 'e.g. A red fox trotting through fresh snow at dawn, cinematic',
		description:
			'What the video should show, up to 3,072 characters (Kling recommends at most 2,500). No negative prompt on this model.',
		displayOptions: { show: showForTurboText },
	},
	...imageInputFields(showForTurboImage, {
		source: {
			name: 'imageSource',
			displayName: 'Image Source',
			description:
				'Where the first frame comes from. JPG or PNG, at most 10 MB, sides at least 300 px. The video follows its shape.',
		},
		urlChoiceDescription: 'A public image URL, or base64 text',
		binaryChoiceDescription:
			'An image in a binary property of the input item, sent as base64 (accepted by the legacy API; unverified on the new API)',
		image: {
			name: 'image',
			displayName: 'Image',
			placeholder: 'e.g. https://example.com/photo.jpg',
			description: 'First frame of the video: an image URL, or base64 image data',
		},
		binary: {
			name: 'imageBinaryProperty',
			description: 'Name of the binary property of the input item that holds the first frame',
		},
	}),
	optionalTextField(showForTurboImage, {
		name: 'prompt',
		displayName: 'Prompt',
		rows: 3,
		placeholder: 'e.g. The camera slowly pushes in while the river flows',
		description: 'Optional: the motion, up to 2,500 characters',
	}),
	{
		displayName: 'Resolution',
		name: 'resolution',
		type: 'options',
		options: [
			{ name: '720p', value: '720p', description: 'About 0.8 units per second' },
			{ name: '1080p', value: '1080p', description: 'About 1.0 unit per second' },
		],
		default: '720p',
		description: 'Output resolution (billed per second)',
		displayOptions: { show: showForTurbo },
	},
	perSecondAspectRatioField(
		showForTurboText,
		'Shape of the video. Other ratios can be given with an expression and are passed through (Kling’s new-API docs give no list).',
	),
	perSecondDurationField(showForTurbo, 'Length of the video, 3 to 15 seconds, billed per second'),
	waitField(showForTurbo),
	submitOptionsField(showForTurbo, { camera: false, sound: false }),
];
