import type { IExecuteSingleFunctions, IHttpRequestOptions } from 'n8n-workflow';

import { inputError } from '../errors';
import { beginCreate, checkCredential, optionsOf } from '../hooks';
import { readImageParam } from '../omni';
import { buildTurboBody, createPath, type NewApiOperation } from './body';
import { checkApiKeyCredential } from './tasks';

/**
 * The operations on Kling's new path-addressed API (Kling 3.0 Turbo). This module is the
 * second API generation: body (body.ts), its task look-ups (tasks.ts) and the mapping of its
 * task records to the node's usual output (records.ts). The task engine reaches it through the
 * task kind `tasks` (shared/tasks.ts), so creating once, polling and the download are shared.
 */

const OPERATION_PATH: Record<string, NewApiOperation> = {
	turboTextToVideo: 'text-to-video',
	turboImageToVideo: 'image-to-video',
};

function operationOf(ctx: IExecuteSingleFunctions): NewApiOperation {
	return OPERATION_PATH[String(ctx.getNodeParameter('operation', ''))];
}

/**
 * preSend of the Kling 3.0 Turbo operations: checks everything (credential type included) and
 * hands the body to the task engine (hooks.ts `beginCreate`, task kind `tasks`): the declared
 * POST /<operation>/<model> is sent once with the external id in `options.external_task_id`,
 * polled with GET /tasks?task_ids=, and output like every other video.
 */
export async function submitNewApiTask(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const operation = operationOf(this);
	await checkCredential(this, (credentials) => checkApiKeyCredential(this, credentials.authType));

	const options = optionsOf(this);
	const model = String(this.getNodeParameter('model', '') ?? '');
	const fromBinary = this.getNodeParameter('imageSource', 'url') === 'binary';
	const built = buildTurboBody(operation, {
		model,
		prompt: this.getNodeParameter('prompt', '') as string,
		resolution: String(this.getNodeParameter('resolution', '720p')),
		aspectRatio:
			operation === 'text-to-video'
				? String(this.getNodeParameter('aspectRatio', '16:9') ?? '')
				: undefined,
		duration: this.getNodeParameter('duration', '5'),
		callbackUrl: String(options.callbackUrl ?? '').trim() || undefined,
		image:
			operation === 'image-to-video'
				? await readImageParam(
						this,
						fromBinary,
						this.getNodeParameter('image', ''),
						this.getNodeParameter('imageBinaryProperty', 'data'),
						'Image',
					)
				: undefined,
	});
	if ('problem' in built) throw inputError(this, built.problem);
	// The create path (model) is part of what the external id is derived from.
	const body = beginCreate(this, 'tasks', built.body, {
		path: createPath(operation, model.trim()),
	});
	return { ...requestOptions, body };
}
