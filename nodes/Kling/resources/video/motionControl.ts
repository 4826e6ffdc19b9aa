import type { INodeProperties } from 'n8n-workflow';

import {
	imageInputFields,
	optionalTextField,
	perSecondModeField,
	submitOptionsField,
	waitField,
} from '../../shared/descriptions';

const showOnlyForMotionControl = { resource: ['video'], operation: ['motionControl'] };

export const videoMotionControlDescription: INodeProperties[] = [
	{
		displayName: 'Model',
		name: 'model',
		type: 'options',
		// A newer model ID given by expression is sent as it is, without an editor warning.
		allowArbitraryValues: true,
		options: [
			{
				name: 'Kling 2.6',
				value: 'kling-v2-6',
				description: 'Kling-v2-6: Kling’s default for motion control; cheaper',
			},
			{
				name: 'Kling 3.0',
				value: 'kling-v3',
				description: 'Kling-v3: newer; can also take one element from your library',
			},
		],
		default: 'kling-v2-6',
		description: 'Which model transfers the motion',
		displayOptions: { show: showOnlyForMotionControl },
	},
	...imageInputFields(showOnlyForMotionControl, {
		source: {
			name: 'imageSource',
			displayName: 'Image Source',
			description:
				'Where the character image comes from: upper or full body with the head visible. JPG or PNG, at most 10 MB, sides at least 300 px.',
		},
		urlChoiceDescription: 'A public image URL, or base64 text',
		binaryChoiceDescription: 'An image in a binary property of the input item',
		image: {
			name: 'image',
			displayName: 'Character Image',
			placeholder: 'e.g. https://example.com/character.png',
			description: 'The character that will move: an image URL or base64 image data',
		},
		binary: {
			name: 'imageBinaryProperty',
			description: 'Name of the binary property of the input item that holds the character image',
		},
	}),
	{
		displayName: 'Motion Video URL',
		name: 'motionVideoUrl',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. https://example.com/dance.mp4',
		description:
			'Public URL of the video whose motion is copied: one person, one take, no cuts. .mp4/.mov up to 100 MB, at least 3 s; at most 10 s when orientation follows the image, 30 s when it follows the video.',
		displayOptions: { show: showOnlyForMotionControl },
	},
	{
		displayName: 'Character Orientation',
		name: 'characterOrientation',
		type: 'options',
		options: [
			{
				name: 'Image',
				value: 'image',
				description: 'Keep the direction the character faces in the image (video up to 10 s)',
			},
			{
				name: 'Video',
				value: 'video',
				description: 'Turn like the person in the video (video up to 30 s)',
			},
		],
		default: 'image',
		description: 'Where the character’s orientation comes from',
		displayOptions: { show: showOnlyForMotionControl },
	},
	perSecondModeField(
		showOnlyForMotionControl,
		'Quality level (billed per output second). Motion control has no 4K.',
	),
	{
		displayName: 'Keep Original Sound',
		name: 'keepOriginalSound',
		type: 'boolean',
		default: true,
		description: 'Whether to keep the sound of the motion video',
		displayOptions: { show: showOnlyForMotionControl },
	},
	optionalTextField(showOnlyForMotionControl, {
		name: 'prompt',
		displayName: 'Prompt',
		rows: 2,
		description: 'Optional: extra elements or camera effects, up to 2,500 characters',
	}),
	{
		displayName: 'Element ID',
		name: 'elementId',
		type: 'string',
		default: '',
		placeholder: 'e.g. 829836802793406551',
		description:
			'Optional, kling-v3 only: one element from your Kling library. With an element the orientation follows the video. Sent as text to keep all digits.',
		displayOptions: { show: showOnlyForMotionControl },
	},
	waitField(showOnlyForMotionControl),
	submitOptionsField(showOnlyForMotionControl, { camera: false, sound: false }),
];
