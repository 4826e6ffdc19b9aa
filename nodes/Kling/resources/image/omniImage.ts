import type { INodeProperties } from 'n8n-workflow';

import { imageListField } from '../../shared/descriptions';

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

const where = show('omniImage');

export const imageOmniImageDescription: INodeProperties[] = [
	modelField(
		where,
		[
			modelOption('kling-image-o1', 'Kling Image O1', 'Default omni image model; 1k or 2k'),
			modelOption('kling-v3-omni', 'Kling v3 Omni', 'Newer omni model; also 4k'),
		],
		'kling-image-o1',
		'Which Kling omni model generates the images.',
	),
	promptField(
		where,
		true,
		'What to make. Refer to the images below as <<<image_1>>>, <<<image_2>>>, … in their order.',
	),
	imageListField(where, {
		name: 'images',
		displayName: 'Images',
		max: 10,
		description:
			'Up to 10 reference images, referred to in the prompt as <<<image_1>>>, <<<image_2>>>, …',
		required: false,
		urlPlaceholder: 'e.g. https://example.com/subject.png',
	}),
	{
		displayName: 'Resolution',
		name: 'resolution',
		type: 'options',
		options: [
			{ name: '1K', value: '1k' },
			{ name: '2K', value: '2k' },
			{ name: '4K (Kling-V3-Omni Only)', value: '4k' },
		],
		default: '1k',
		description: 'Output resolution. 4k costs more and needs kling-v3-omni.',
		displayOptions: { show: where },
	},
	{
		displayName: 'Result Type',
		name: 'resultType',
		type: 'options',
		options: [
			{
				name: 'Single Images',
				value: 'single',
				description: 'Independent images (Number of Images)',
			},
			{
				name: 'Series',
				value: 'series',
				description: 'A consistent series of images (Series Amount)',
			},
		],
		default: 'single',
		description: 'Independent images, or a series that belongs together',
		displayOptions: { show: where },
	},
	countField({ ...where, resultType: ['single'] }),
	{
		displayName: 'Series Amount',
		name: 'seriesAmount',
		type: 'options',
		options: [
			{ name: 'Auto', value: 'auto' },
			...[2, 3, 4, 5, 6, 7, 8, 9].map((n) => ({ name: String(n), value: String(n) })),
		],
		default: 'auto',
		description: 'How many images the series has (2 to 9), or Auto to let Kling decide',
		displayOptions: { show: { ...where, resultType: ['series'] } },
	},
	aspectRatioField(where, true),
	waitField(where),
	submitOptionsField(where),
];
