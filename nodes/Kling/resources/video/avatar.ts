import type { INodeProperties } from 'n8n-workflow';

import {
	imageInputFields,
	optionalTextField,
	submitOptionsField,
	waitField,
} from '../../shared/descriptions';
import { speechFields } from './lipSync';

const showOnlyForAvatar = { resource: ['video'], operation: ['avatar'] };

export const videoAvatarDescription: INodeProperties[] = [
	...imageInputFields(showOnlyForAvatar, {
		source: {
			name: 'photoSource',
			displayName: 'Photo Source',
			description:
				'The person who talks: JPG or PNG, at most 10 MB, each side at least 300 px. With several faces Kling chooses the speaker.',
		},
		urlChoiceDescription: 'A public image URL, or the image as base64 text',
		binaryChoiceDescription: 'An image in a binary property of the input item',
		image: {
			name: 'photo',
			displayName: 'Photo',
			placeholder: 'e.g. https://example.com/presenter.jpg',
			description: 'Image URL, or base64 image data (a data: prefix is removed)',
		},
		binary: {
			name: 'photoBinaryProperty',
			description: 'Name of the binary property of the input item that holds the photo',
		},
	}),
	...speechFields(showOnlyForAvatar, '2 seconds to 5 minutes (the video is as long as the speech)'),
	optionalTextField(showOnlyForAvatar, {
		name: 'avatarPrompt',
		displayName: 'Prompt',
		rows: 2,
		placeholder: 'e.g. Smiles warmly and nods, slow push-in',
		description: 'Optional actions, emotions and camera moves, up to 2,500 characters',
	}),
	{
		displayName: 'Mode',
		name: 'avatarMode',
		type: 'options',
		options: [
			{ name: 'Standard', value: 'std', description: 'About 0.4 units per second of video' },
			{
				name: 'Professional',
				value: 'pro',
				description: 'Higher quality, about 0.8 units per second of video',
			},
		],
		default: 'std',
		description: 'Quality level; billed per second of speech',
		displayOptions: { show: showOnlyForAvatar },
	},
	waitField(showOnlyForAvatar),
	submitOptionsField(showOnlyForAvatar, { camera: false, sound: false }),
];
