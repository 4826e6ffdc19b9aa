import type { INodeProperties } from 'n8n-workflow';

import {
	commonFields,
	imageInputFields,
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
	...imageInputFields(showOnlyForImageToVideo, {
		source: {
			name: 'imageSource',
			displayName: 'Image Source',
			description:
				'Where the first frame comes from. JPG or PNG, at most 10 MB, each side at least 300 px.',
		},
		urlChoiceDescription: 'A public image URL, or the image as base64 text',
		binaryChoiceDescription:
			'An image in a binary property of the input item (e.g. from Read/Write Files or HTTP Request)',
		image: {
			name: 'image',
			displayName: 'Image',
			placeholder: 'e.g. https://example.com/photo.jpg',
			description:
				'First frame of the video: an image URL, or base64 image data (a data: prefix is removed)',
		},
		binary: {
			name: 'imageBinaryProperty',
			description: 'Name of the binary property of the input item that holds the first frame',
		},
	}),
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
