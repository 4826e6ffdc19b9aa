import { NodeConnectionTypes, type INodeType, type INodeTypeDescription } from 'n8n-workflow';

import { accountDescription } from './resources/account';
import { imageDescription } from './resources/image';
import { videoDescription } from './resources/video';
import { voiceDescription } from './resources/voice';
import { BASE_URL_EXPRESSION } from './shared/constants';
import { getVoices } from './shared/voices';

export class Kling implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Kling',
		name: 'kling',
		icon: { light: 'file:../../icons/kling.svg', dark: 'file:../../icons/kling.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description:
			'Generate videos and images with Kling AI, get them as files, and see what they cost',
		defaults: { name: 'Kling' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'klingApi', required: true }],
		requestDefaults: {
			baseURL: BASE_URL_EXPRESSION,
			headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
		},
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Account', value: 'account' },
					{ name: 'Image', value: 'image' },
					{ name: 'Video', value: 'video' },
					{ name: 'Voice', value: 'voice' },
				],
				default: 'video',
			},
			...videoDescription,
			...imageDescription,
			...accountDescription,
			...voiceDescription,
		],
	};

	methods = { loadOptions: { getVoices } };
}
