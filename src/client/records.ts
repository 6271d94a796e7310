/**
The records the client keeps, and the checks that turn a corrupt or foreign stored value into "nothing stored".
@module
*/
import type {OssCredentials} from '../oss/types.js';

/** A secToken as kept in memory and storage. */
export type TokenRecord = {
	v: 1;
	/** The client namespace it belongs to; a record under another namespace is foreign. */
	ns: string;
	token: string;
	grant?: string | undefined;
	/** Client clock, epoch ms. */
	obtainedAt: number;
	/** Client clock, epoch ms. */
	expiresAt: number;
};

/** OSS credentials as kept (memory, or storage when opted in). */
export type CredentialsRecord = {v: 1; ns: string; obtainedAt: number; credentials: OssCredentials};

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isTime = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value > 0;

/** Whether `value` is a well-formed {@link TokenRecord} of namespace `ns`. */
export function isTokenRecord(value: unknown, ns: string): value is TokenRecord {
	return (
		isObject(value) &&
		value['v'] === 1 &&
		value['ns'] === ns &&
		typeof value['token'] === 'string' &&
		value['token'].length > 0 &&
		(value['grant'] === undefined || typeof value['grant'] === 'string') &&
		isTime(value['obtainedAt']) &&
		isTime(value['expiresAt'])
	);
}

const CREDENTIAL_FIELDS = ['accessKeyId', 'accessKeySecret', 'securityToken', 'bucket', 'endpoint', 'region'] as const;

/** Whether `value` is a well-formed {@link CredentialsRecord} of namespace `ns`. */
export function isCredentialsRecord(value: unknown, ns: string): value is CredentialsRecord {
	if (!isObject(value) || value['v'] !== 1 || value['ns'] !== ns || !isTime(value['obtainedAt'])) return false;
	const credentials = value['credentials'];
	return (
		isObject(credentials) &&
		CREDENTIAL_FIELDS.every((field) => typeof credentials[field] === 'string' && (credentials[field] as string).length > 0) &&
		typeof credentials['dir'] === 'string' &&
		isTime(credentials['expiresAt'])
	);
}

/**
Whether a thing obtained at `obtainedAt` and expiring at `expiresAt` is still good at `now`, refreshing `marginMs`
early — but never more than half its lifetime early, so short-lived tokens are still used.
*/
export function isFresh(obtainedAt: number, expiresAt: number, marginMs: number, now: number): boolean {
	return expiresAt - Math.min(marginMs, (expiresAt - obtainedAt) / 2) > now;
}
