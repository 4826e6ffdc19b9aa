import type { IExecuteSingleFunctions, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { Problem } from './validation';

interface CodeText {
	message: string;
	description: string;
}

const CHECK_CREDENTIAL =
	'Open the Kling credential and check the key, and that the Base URL is the region where the key was created.';

/** What each Kling error code means for the person running the workflow (kling-api.md §5). */
const CODE_TEXT: Record<number, CodeText> = {
	1000: { message: 'Kling rejected the key — check the credential', description: CHECK_CREDENTIAL },
	1001: { message: 'Kling received no key — check the credential', description: CHECK_CREDENTIAL },
	1002: { message: 'Kling rejected the key — check the credential', description: CHECK_CREDENTIAL },
	1003: {
		message: 'Kling says the signed token is not valid yet',
		description: "This machine's clock is probably ahead of Kling's. Sync the clock and run again.",
	},
	1004: {
		message: 'Kling says the signed token has expired',
		description: "This machine's clock is probably behind Kling's. Sync the clock and run again.",
	},
	1100: {
		message: 'Kling reports a problem with this account',
		description: 'Check the account in the Kling developer console.',
	},
	1101: {
		message: 'This Kling account is in arrears',
		description: 'Top up the account in the Kling developer console, then run again.',
	},
	1102: {
		message: 'Kling balance depleted — the resource pack is used up or expired',
		description:
			'Buy or renew a video resource pack in the Kling developer console, then run again.',
	},
	1103: {
		message: 'This Kling account may not use this model or API',
		description:
			'Choose another model, or enable this one for your account in the Kling developer console.',
	},
	1200: {
		message: 'Kling rejected the request parameters',
		description: 'Check the node parameters against the message from Kling.',
	},
	1201: {
		message: 'Kling rejected a parameter value',
		description: 'Check the node parameters against the message from Kling.',
	},
	1202: {
		message: 'Kling does not know this request',
		description: 'Check that the Base URL in the credential points at the Kling API.',
	},
	1203: {
		message: 'Kling could not find the task or model',
		description: 'Check the task ID and the task type.',
	},
	1300: {
		message: "Kling's platform policy blocked the request",
		description: 'Change the request and try again.',
	},
	1301: {
		message: "Kling's content safety check blocked the prompt or image",
		description: 'Change the prompt or image and run again.',
	},
	1302: {
		message: 'Kling is rate-limiting this account (too many requests)',
		description: "Run fewer items at once or lower 'Max Tasks in Flight' in the options.",
	},
	1303: {
		message: 'Too many tasks running at once for this account',
		description:
			"Kling's concurrency limit stayed full for the whole wait. Lower 'Max Tasks in Flight', raise 'Max Wait Time', or wait for running tasks to finish.",
	},
	1304: {
		message: "Kling's IP allow-list blocked this server",
		description: 'Add this server to the allow-list in the Kling developer console.',
	},
	5000: {
		message: 'Kling had an internal error',
		description: 'This is on Kling’s side. Run again in a few minutes.',
	},
	5001: {
		message: 'Kling is temporarily unavailable (maintenance)',
		description: 'Run again later.',
	},
	5002: {
		message: 'Kling timed out internally',
		description: 'Kling is busy. Run again in a few minutes.',
	},
};

export interface KlingFailure {
	httpStatus?: number;
	code?: number;
	message?: string;
	requestId?: string;
	taskId?: string;
	/** Network-level failure (no HTTP answer), e.g. "connection reset". */
	network?: string;
	/** An HTTP answer that is not Kling's JSON envelope (garbled, HTML from a proxy…). */
	unreadable?: boolean;
	/** A sentence the node adds to the description (e.g. how often it tried). */
	note?: string;
}

function fallbackText(failure: KlingFailure): CodeText {
	if (failure.unreadable) {
		return {
			message: `Kling sent an answer that is not valid Kling JSON (HTTP ${failure.httpStatus ?? '?'})`,
			description:
				'Something between n8n and Kling, or Kling itself, answered with unexpected content. Check the Base URL in the credential (and any proxy); if it is right, run again later.',
		};
	}
	if (failure.network) {
		return {
			message: `Could not reach Kling (${failure.network})`,
			description:
				'Check the Base URL in the credential, the network and any proxy, then run again.',
		};
	}
	if (failure.httpStatus === 401 || failure.httpStatus === 403) return CODE_TEXT[1000];
	if (failure.httpStatus && failure.httpStatus >= 500) return CODE_TEXT[5000];
	return { message: 'Kling returned an error', description: 'See the details below.' };
}

/** A Kling API failure as a NodeApiError a no-code user can act on. Never includes request data. */
export function klingApiError(ctx: IExecuteSingleFunctions, failure: KlingFailure): NodeApiError {
	const text = (failure.code !== undefined && CODE_TEXT[failure.code]) || fallbackText(failure);
	const codePart = failure.code !== undefined ? ` (Kling code ${failure.code})` : '';
	const taskPart = failure.taskId ? ` [task ${failure.taskId}]` : '';
	const details = [
		text.description,
		failure.note ?? '',
		failure.message ? `Kling says: "${failure.message}".` : '',
		failure.requestId ? `Request ID: ${failure.requestId}.` : '',
	]
		.filter(Boolean)
		.join(' ');
	const response: JsonObject = {
		code: failure.code ?? null,
		message: failure.message ?? null,
		request_id: failure.requestId ?? null,
		task_id: failure.taskId ?? null,
	};
	return new NodeApiError(ctx.getNode(), response, {
		message: `${text.message}${codePart}${taskPart}`,
		description: details,
		httpCode: failure.httpStatus ? String(failure.httpStatus) : undefined,
		itemIndex: ctx.getItemIndex(),
	});
}

export function inputError(ctx: IExecuteSingleFunctions, problem: Problem): NodeOperationError {
	return new NodeOperationError(
		ctx.getNode(),
		`${problem.message} (item ${ctx.getItemIndex()}, field '${problem.field}')`,
		{
			itemIndex: ctx.getItemIndex(),
			description: `${problem.description ?? `Check the '${problem.field}' parameter.`} Nothing was sent to Kling.`,
		},
	);
}

export function taskFailedError(
	ctx: IExecuteSingleFunctions,
	taskId: string,
	reason: unknown,
): NodeOperationError {
	const why = typeof reason === 'string' && reason ? reason : 'no reason given';
	return new NodeOperationError(ctx.getNode(), `Kling task ${taskId} failed: ${why}`, {
		itemIndex: ctx.getItemIndex(),
		description: 'Kling could not generate this video. Change the prompt or image and run again.',
	});
}

export function timeoutError(
	ctx: IExecuteSingleFunctions,
	taskId: string,
	lastStatus: string,
	maxWaitMs: number,
): NodeOperationError {
	const limit =
		maxWaitMs < 120_000
			? `${Math.round(maxWaitMs / 1000)} s`
			: `${+(maxWaitMs / 60_000).toFixed(1)} min`;
	return new NodeOperationError(
		ctx.getNode(),
		`Kling task ${taskId} did not finish within ${limit} (last status: ${lastStatus})`,
		{
			itemIndex: ctx.getItemIndex(),
			description: `The task may still finish at Kling. Fetch it later with the Get Task operation and task ID ${taskId} — it will not be submitted or paid for again. Raise 'Max Wait Time' to wait longer.`,
		},
	);
}

export function cancelledError(ctx: IExecuteSingleFunctions, taskId?: string): NodeOperationError {
	const task = taskId ? ` Task ${taskId} may still finish at Kling; fetch it with Get Task.` : '';
	return new NodeOperationError(
		ctx.getNode(),
		'The execution was stopped while waiting for Kling',
		{
			itemIndex: ctx.getItemIndex(),
			description: `Waiting was cancelled.${task}`,
		},
	);
}

export function downloadError(
	ctx: IExecuteSingleFunctions,
	taskId: string,
	problem: string,
): NodeApiError {
	return new NodeApiError(ctx.getNode(), { task_id: taskId, message: problem } as JsonObject, {
		message: `Could not download the video of Kling task ${taskId}: ${problem}`,
		description: `The video was generated and paid for. Run Get Task with task ID ${taskId} to download it again (Kling keeps videos for 30 days).`,
		itemIndex: ctx.getItemIndex(),
	});
}

/**
 * A create whose outcome stayed unknown (no answer, 5xx, or code 0 without a task ID) and
 * whose task could not be found by its external_task_id. Names that ID so the user can look.
 */
export function unconfirmedTaskError(
	ctx: IExecuteSingleFunctions,
	externalId: string,
	reason: string,
	failure: KlingFailure = {},
): NodeApiError {
	const codePart = failure.code !== undefined ? ` (Kling code ${failure.code})` : '';
	return new NodeApiError(
		ctx.getNode(),
		{ code: failure.code ?? null, external_task_id: externalId } as JsonObject,
		{
			message: `Could not confirm the Kling task with External Task ID ${externalId}: ${reason}${codePart}`,
			description: `The node did not send it again more than once, so at most one task is paid for. In a few minutes, run Get Task with the External Task ID ${externalId}: if the task exists, it is there; if Kling cannot find it, run the workflow again.`,
			httpCode: failure.httpStatus ? String(failure.httpStatus) : undefined,
			itemIndex: ctx.getItemIndex(),
		},
	);
}

/**
 * An error as the item's result: n8n's own errors unchanged (a cancellation stays a
 * cancellation, an API error keeps its code), anything else as an API error.
 */
export function asNodeError(
	ctx: IExecuteSingleFunctions,
	error: unknown,
): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	return new NodeApiError(ctx.getNode(), error as JsonObject, { itemIndex: ctx.getItemIndex() });
}

/** The video URL in Kling's answer was refused (scheme or private address): nothing was fetched. */
export function unsafeMediaUrlError(
	ctx: IExecuteSingleFunctions,
	taskId: string,
	problem: string,
): NodeApiError {
	return new NodeApiError(ctx.getNode(), { task_id: taskId, message: problem } as JsonObject, {
		message: `Kling task ${taskId}: the video address was refused`,
		description: `${problem}. Nothing was downloaded. If the Base URL points at a gateway, check that it hands out https:// video links; the task itself is done — fetch it with Get Task and task ID ${taskId} (turn 'Download Video' off to get the JSON with the link).`,
		itemIndex: ctx.getItemIndex(),
	});
}

/** The proxy in the node's Request Options cannot be used; its password is never shown. */
export function proxyError(ctx: IExecuteSingleFunctions, shown: string): NodeOperationError {
	return new NodeOperationError(ctx.getNode(), `The proxy ${shown} is not a valid proxy address`, {
		itemIndex: ctx.getItemIndex(),
		description:
			'Set Options → Proxy to an address like http://proxy.example.com:3128 or http://user:password@proxy.example.com:3128. Nothing was sent to Kling.',
	});
}
