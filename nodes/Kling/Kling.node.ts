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
			'={{ $parameter["operation"] === "textToVideo" ? "Text to Video" : $parameter["operation"] === "imageToVideo" ? "Image to Video" : $parameter["operation"] === "multiImageToVideo" ? "Multi-Image to Video" : $parameter["operation"] === "generate" ? "Generate Images" : $parameter["operation"] === "omniImage" ? "Omni Image" : $parameter["operation"] === "multiImageToImage" ? "Multi-Image to Image" : $parameter["operation"] === "expand" ? "Expand Image" : $parameter["operation"] === "virtualTryOn" ? "Virtual Try-On" : $parameter["operation"] === "getResourcePacks" ? "Get Resource Packs" : $parameter["operation"] === "getTaskCosts" ? "Get Task Costs" : $parameter["resource"] === "image" ? "Get Image Task" : "Get Task" }}',
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
