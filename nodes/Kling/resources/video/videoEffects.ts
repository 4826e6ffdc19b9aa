import type { INodeProperties } from 'n8n-workflow';

import { imageListField, submitOptionsField, waitField } from '../../shared/descriptions';
import { DUAL_IMAGE_SCENES, SINGLE_IMAGE_SCENES } from '../../shared/videoV3';

const showOnlyForVideoEffects = { resource: ['video'], operation: ['videoEffects'] };

function sceneName(id: string): string {
	return id
		.split('_')
		.map((word) => word.charAt(0).toUpperCase() + word.slice(1))
		.join(' ');
}

const sceneOptions = [
	...SINGLE_IMAGE_SCENES.map((id) => ({
		name: `${sceneName(id)} (${id})`,
		value: id,
		description: 'One image',
	})),
	...DUAL_IMAGE_SCENES.filter((id) => id !== 'heart_gesture').map((id) => ({
		name: `${sceneName(id)} (${id})`,
		value: id,
		description: 'Two images: the first on the left, the second on the right',
	})),
].sort((a, b) => a.name.localeCompare(b.name));

export const videoVideoEffectsDescription: INodeProperties[] = [
	{
		displayName: 'Effect',
		name: 'effectScene',
		type: 'options',
		options: sceneOptions,
		default: 'bullet_time_lite',
		description:
			'The effect template. Kling has about 200 and changes them often: any other scene ID can be typed with an expression. Retired scenes (e.g. hug, kiss, fight — use the _pro versions) are refused before sending.',
		displayOptions: { show: showOnlyForVideoEffects },
	},
	imageListField(showOnlyForVideoEffects, {
		name: 'images',
		displayName: 'Images',
		max: 2,
		description:
			'One image, or two for the two-person effects. JPG or PNG, at most 10 MB, sides at least 300 px.',
		required: true,
		urlPlaceholder: 'e.g. https://example.com/person.png',
	}),
	{
		displayName: 'Duration',
		name: 'effectDuration',
		type: 'options',
		options: [
			{ name: 'Not Sent (Current Docs)', value: '' },
			{ name: '5 Seconds', value: '5' },
			{ name: '10 Seconds', value: '10' },
		],
		default: '',
		description:
			'Kling’s 2026-02 docs required a duration (single-image 5 or 10, two-image 5); the 2026-09 docs no longer list it. Leave it unsent unless Kling asks for it.',
		displayOptions: { show: showOnlyForVideoEffects },
	},
	waitField(showOnlyForVideoEffects),
	submitOptionsField(showOnlyForVideoEffects, { camera: false, sound: false }),
];
