import type { INodeProperties } from 'n8n-workflow';

import {
	commonFields,
	modelField,
	promptField,
	submitOptionsField,
	waitField,
} from '../../shared/descriptions';

const showOnlyForMultiImageToVideo = { resource: ['video'], operation: ['multiImageToVideo'] };

export const videoMultiImageToVideoDescription: INodeProperties[] = [
	modelField(showOnlyForMultiImageToVideo, 'multi-image2video', 'kling-v1-6'),
	{
		displayName: 'Images',
		name: 'images',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, maxAllowedFields: 4 },
		default: {},
		placeholder: 'Add Image',
		required: true,
		description:
			'One to four reference images (subjects or scenes, not frames). JPG or PNG, at most 10 MB each.',
		displayOptions: { show: showOnlyForMultiImageToVideo },
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
						description:
							'Whether this image is given as a URL/base64 text or taken from a binary property of the input item',
					},
					{
						displayName: 'Image',
						name: 'url',
						type: 'string',
						default: '',
						placeholder: 'e.g. https://example.com/person.png',
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
				],
			},
		],
	},
	promptField(showOnlyForMultiImageToVideo, true),
	...commonFields(showOnlyForMultiImageToVideo, true),
	waitField(showOnlyForMultiImageToVideo),
	submitOptionsField(showOnlyForMultiImageToVideo, { camera: false, sound: false }),
];
