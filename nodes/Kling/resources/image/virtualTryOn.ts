import type { INodeProperties } from 'n8n-workflow';

import {
	imagePair,
	imageSourceField,
	modelField,
	modelOption,
	show,
	submitOptionsField,
	waitField,
} from './fields';

const where = show('virtualTryOn');

export const imageVirtualTryOnDescription: INodeProperties[] = [
	modelField(
		where,
		[
			modelOption(
				'kolors-virtual-try-on-v1',
				'Kolors Virtual Try-On v1',
				'Upper garments, lower garments or dresses',
			),
			modelOption(
				'kolors-virtual-try-on-v1-5',
				'Kolors Virtual Try-On v1.5',
				'Also an upper and a lower garment stitched into one image',
			),
		],
		'kolors-virtual-try-on-v1',
		'Which try-on model dresses the person. Try-on is billed from its own try-on resource pack.',
	),
	imageSourceField(where, 'the person and garment images'),
	...imagePair(where, 'humanImage', 'Person Image', 'The person to dress', {
		required: true,
		defaultProperty: 'data',
	}),
	...imagePair(
		where,
		'clothImage',
		'Garment Image',
		'The garment: a product shot or one on a white background',
		{
			required: true,
			defaultProperty: 'garment',
		},
	),
	waitField(where),
	submitOptionsField(where),
];
