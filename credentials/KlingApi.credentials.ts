import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
	Icon,
} from 'n8n-workflow';
import { UserError } from 'n8n-workflow';

import { BASE_URL_EXPRESSION, DEFAULT_BASE_URL } from '../nodes/Kling/shared/constants';
import { signKlingJwt } from '../nodes/Kling/shared/jwt';
import { checkBaseUrl } from '../nodes/Kling/shared/validation';

export class KlingApi implements ICredentialType {
	name = 'klingApi';

	displayName = 'Kling API';

	icon: Icon = { light: 'file:../icons/kling.svg', dark: 'file:../icons/kling.dark.svg' };

	documentationUrl = 'https://app.klingai.com/global/dev/document-api/apiReference/commonInfo';

	properties: INodeProperties[] = [
		{
			displayName: 'Authentication',
			name: 'authType',
			type: 'options',
			options: [
				{
					name: 'API Key',
					value: 'apiKey',
					description: 'One key from the Kling developer console, sent as a Bearer token',
				},
				{
					name: 'Access Key + Secret Key',
					value: 'accessKey',
					description:
						'The classic key pair; n8n signs a short-lived JWT from it for every request',
				},
			],
			default: 'apiKey',
		},
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'Create it in the Kling developer console under API Keys',
			displayOptions: { show: { authType: ['apiKey'] } },
		},
		{
			displayName: 'Access Key',
			name: 'accessKey',
			type: 'string',
			default: '',
			required: true,
			description: 'The Access Key of a key pair from the Kling developer console',
			displayOptions: { show: { authType: ['accessKey'] } },
		},
		{
			displayName: 'Secret Key',
			name: 'secretKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'The Secret Key shown once when the key pair was created',
			displayOptions: { show: { authType: ['accessKey'] } },
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: DEFAULT_BASE_URL,
			description:
				"Kling API address (https). International accounts: https://api-singapore.klingai.com (default). Mainland China: https://api-beijing.klingai.com. The legacy https://api.klingai.com from older docs also works. A proxy or gateway URL that forwards Kling's /v1 paths may be used instead. Plain http:// is only accepted for localhost.",
		},
	];

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		// The same Base URL rule as the node (https, or http on this machine only), checked before
		// the key is attached: this is also what the credential's Test button reports.
		const problem = checkBaseUrl(credentials.baseUrl || DEFAULT_BASE_URL);
		if (problem) throw new UserError(`${problem.message}. ${problem.description ?? ''}`.trim());
		const token =
			credentials.authType === 'accessKey'
				? signKlingJwt(
						String(credentials.accessKey ?? '').trim(),
						String(credentials.secretKey ?? '').trim(),
					)
				: String(credentials.apiKey ?? '').trim();
		return {
			...requestOptions,
			headers: { ...requestOptions.headers, Authorization: `Bearer ${token}` },
		};
	}

	// Listing one task is free and uses none of the account's concurrency.
	test: ICredentialTestRequest = {
		request: {
			baseURL: BASE_URL_EXPRESSION,
			url: '/v1/videos/text2video',
			method: 'GET',
			qs: { pageNum: 1, pageSize: 1 },
		},
		rules: [
			{
				type: 'responseCode',
				properties: {
					value: 401,
					message:
						'Kling rejected the key. Check the API key (or the Access Key and Secret Key) and that the Base URL is the region where the key was created.',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 403,
					message:
						"Kling refused this key access to the video API. Check the key's permissions in the Kling developer console.",
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 404,
					message:
						"Nothing answers Kling's API paths at this Base URL. Check the Base URL in the credential.",
				},
			},
		],
	};
}
