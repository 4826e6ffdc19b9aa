import { NodeConnectionTypes, type INodeType, type INodeTypeDescription } from 'n8n-workflow';

import { accountDescription } from './resources/account';
import { imageDescription } from './resources/image';
import { videoDescription } from './resources/video';
import { BASE_URL_EXPRESSION } from './shared/constants';

export class Kling implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Kling',
		name: 'kling',
		icon: { light: 'file:../../icons/kling.svg', dark: 'file:../../icons/kling.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle:
			'={{ ({ textToVideo: "Text to Video", imageToVideo: "Image to Video", multiImageToVideo: "Multi-Image to Video", generate: "Generate Images", omniImage: "Omni Image", multiImageToImage: "Multi-Image to Image", expand: "Expand Image", virtualTryOn: "Virtual Try-On", getResourcePacks: "Get Resource Packs", getTaskCosts: "Get Task Costs" })[$parameter["operation"]] || ($parameter["resource"] === "image" ? "Get Image Task" : "Get Task") }}',
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
				],
				default: 'video',
			},
			...videoDescription,
			...imageDescription,
			...accountDescription,
		],
	};
}
