import { createHmac } from 'node:crypto';

export const JWT_LIFETIME_S = 1800;
/** Kling rejects tokens whose `nbf` is in its future; a few seconds back covers clock skew. */
export const JWT_NOT_BEFORE_SKEW_S = 5;

function base64url(input: Buffer | string): string {
	return Buffer.from(input).toString('base64url');
}

/** HS256 token Kling expects in Access Key + Secret Key mode (RFC 7519). */
export function signKlingJwt(
	accessKey: string,
	secretKey: string,
	nowSeconds = Math.floor(Date.now() / 1000),
): string {
	const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
	const payload = base64url(
		JSON.stringify({
			iss: accessKey,
			exp: nowSeconds + JWT_LIFETIME_S,
			nbf: nowSeconds - JWT_NOT_BEFORE_SKEW_S,
		}),
	);
	const signature = createHmac('sha256', secretKey).update(`${header}.${payload}`).digest();
	return `${header}.${payload}.${base64url(signature)}`;
}
