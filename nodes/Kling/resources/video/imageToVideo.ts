import type { INodeProperties } from 'n8n-workflow';

import {
	commonFields,
	modelField,
	promptField,
	submitOptionsField,
	waitField,
} from '../../shared/descriptions';
import { klingV3Fields } from './klingV3';

const showOnlyForImageToVideo = { resource: ['video'], operation: ['imageToVideo'] };
const fromUrl = { ...showOnlyForImageToVideo, imageSource: ['url'] };
const fromBinary = { ...showOnlyForImageToVideo, imageSource: ['binary'] };

export const videoImageToVideoDescription: INodeProperties[] = [
	modelField(showOnlyForImageToVideo, 'image2video', 'kling-v2-6'),
	{
		displayName: 'Image Source',
		name: 'imageSource',
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
				description:
					'An image in a binary property of the input item (e.g. from Read/Write Files or HTTP Request)',
			},
		],
		default: 'url',
		description:
			'Where the first frame comes from. JPG or PNG, at most 10 MB, each side at least 300 px.',
		displayOptions: { show: showOnlyForImageToVideo },
	},
	{
		displayName: 'Image',
		name: 'image',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. https://example.com/photo.jpg',
		description:
			'First frame of the video: an image URL, or base64 image data (a data: prefix is removed)',
		displayOptions: { show: fromUrl },
	},
	{
		displayName: 'Input Binary Field',
		name: 'imageBinaryProperty',
		type: 'string',
		default: 'data',
		required: true,
		description: 'Name of the binary property of the input item that holds the first frame',
		displayOptions: { show: fromBinary },
	},
	{
		displayName: 'End Frame Image',
		name: 'imageTail',
		type: 'string',
		default: '',
		placeholder: 'e.g. https://example.com/last-frame.jpg',
		description:
			'Optional last frame (URL or base64). Supported by kling-v1-6, v2.1, v2.5 Turbo and newer, usually in Professional mode.',
		displayOptions: { show: fromUrl },
	},
	{
		displayName: 'End Frame Binary Field',
		name: 'imageTailBinaryProperty',
		type: 'string',
		default: '',
		placeholder: 'e.g. lastFrame',
		description: 'Optional binary property holding the last frame; leave empty for none',
		displayOptions: { show: fromBinary },
	},
	promptField(showOnlyForImageToVideo, false),
	...commonFields(showOnlyForImageToVideo, false),
	...klingV3Fields(showOnlyForImageToVideo),
	waitField(showOnlyForImageToVideo),
	submitOptionsField(showOnlyForImageToVideo, { camera: true, sound: true }),
];
