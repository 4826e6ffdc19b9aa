import { NodeConnectionTypes, type INodeType, type INodeTypeDescription } from 'n8n-workflow';

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
		subtitle:
			'={{ $parameter["resource"] === "voice" ? "Voice: " + $parameter["operation"] : $parameter["operation"] === "getTask" ? "Get Task" : $parameter["operation"] === "imageToVideo" ? "Image to Video" : $parameter["operation"] === "multiImageToVideo" ? "Multi-Image to Video" : $parameter["operation"] === "lipSync" ? "Lip Sync" : $parameter["operation"] === "avatar" ? "Avatar" : "Text to Video" }}',
		description: 'Generate videos with Kling AI from text or images and get them as MP4 files',
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
					{ name: 'Video', value: 'video' },
					{ name: 'Voice', value: 'voice' },
				],
				default: 'video',
			},
			...videoDescription,
			...voiceDescription,
		],
	};

	methods = { loadOptions: { getVoices } };
}
