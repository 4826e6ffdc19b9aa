import type { INodeProperties } from 'n8n-workflow';

import { submitOptionsField, waitField } from '../../shared/descriptions';
import { speechFields } from './lipSync';

const showOnlyForAvatar = { resource: ['video'], operation: ['avatar'] };

export const videoAvatarDescription: INodeProperties[] = [
	{
		displayName: 'Photo Source',
		name: 'photoSource',
		type: 'options',
		options: [
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
		default: 'url',
		description:
			'The person who talks: JPG or PNG, at most 10 MB, each side at least 300 px. With several faces Kling chooses the speaker.',
		displayOptions: { show: showOnlyForAvatar },
	},
	{
		displayName: 'Photo',
		name: 'photo',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. https://example.com/presenter.jpg',
		description: 'Image URL, or base64 image data (a data: prefix is removed)',
		displayOptions: { show: { ...showOnlyForAvatar, photoSource: ['url'] } },
	},
	{
		displayName: 'Input Binary Field',
		name: 'photoBinaryProperty',
		type: 'string',
		default: 'data',
		required: true,
		description: 'Name of the binary property of the input item that holds the photo',
		displayOptions: { show: { ...showOnlyForAvatar, photoSource: ['binary'] } },
	},
	...speechFields(showOnlyForAvatar, '2 seconds to 5 minutes (the video is as long as the speech)'),
	{
		displayName: 'Prompt',
		name: 'avatarPrompt',
		type: 'string',
		typeOptions: { rows: 2 },
		default: '',
		placeholder: 'e.g. Smiles warmly and nods, slow push-in',
		description: 'Optional actions, emotions and camera moves, up to 2,500 characters',
		displayOptions: { show: showOnlyForAvatar },
	},
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
