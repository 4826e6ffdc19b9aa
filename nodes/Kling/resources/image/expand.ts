import type { INodeProperties } from 'n8n-workflow';

import {
	countField,
	imagePair,
	imageSourceField,
	promptField,
	show,
	submitOptionsField,
	waitField,
} from './fields';

const where = show('expand');

const side = (name: string, displayName: string, what: string): INodeProperties => ({
	displayName,
	name,
	type: 'number',
	typeOptions: { minValue: 0, maxValue: 2, numberPrecision: 2 },
	default: 0.25,
	description: `How much to add ${what}, relative to the original ${name === 'expandUp' || name === 'expandDown' ? 'height' : 'width'} (0 to 2). Altogether at most 3 times the original area may be added.`,
	displayOptions: { show: where },
});

export const imageExpandDescription: INodeProperties[] = [
	imageSourceField(where, 'the image'),
	...imagePair(where, 'image', 'Image', 'The image to expand', {
		required: true,
		defaultProperty: 'data',
	}),
	side('expandUp', 'Expand Up', 'above the image'),
	side('expandDown', 'Expand Down', 'below the image'),
	side('expandLeft', 'Expand Left', 'left of the image'),
	side('expandRight', 'Expand Right', 'right of the image'),
	promptField(where, false, 'Optional description of what the new areas should show.'),
	countField(where),
	waitField(where),
	submitOptionsField(where),
];
