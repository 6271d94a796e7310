/**
The records the client keeps, and the checks that turn a corrupt or foreign stored value into "nothing stored".
@module
*/
import type {OssCredentials} from '../oss/types.js';
import {isObject} from '../top/response.js';

/** What every kept record has. */
export type CachedRecord = {
	v: 1;
	/** The client namespace it belongs to; a record under another namespace is foreign. */
	ns: string;
	/** Client clock, epoch ms. */
	obtainedAt: number;
	/** Client clock, epoch ms. */
	expiresAt: number;
};

/** A secToken as kept in memory and storage. */
export type TokenRecord = CachedRecord & {token: string; grant?: string | undefined};

/** OSS credentials as kept (memory, or storage when opted in). */
export type CredentialsRecord = CachedRecord & {credentials: OssCredentials};

const isTime = (value: unknown) => typeof value === 'number' && value > 0 && value < 1e15;
const isText = (value: unknown) => typeof value === 'string' && value !== '';

/** Whether `value` is a record of ours: version 1, namespace `ns`, sane times. */
const isRecord = (value: unknown, ns: string): value is Record<string, unknown> =>
	isObject(value) && value['v'] === 1 && value['ns'] === ns && isTime(value['obtainedAt']) && isTime(value['expiresAt']);

/** Whether `value` is a well-formed {@link TokenRecord} of namespace `ns`. */
export const isTokenRecord = (value: unknown, ns: string): value is TokenRecord =>
	isRecord(value, ns) && isText(value['token']) && (value['grant'] === undefined || isText(value['grant']));

/** Whether `value` is a {@link CredentialsRecord} of namespace `ns` with its secret fields in place. */
export const isCredentialsRecord = (value: unknown, ns: string): value is CredentialsRecord =>
	isRecord(value, ns) && isObject(value['credentials']) && isText(value['credentials']['accessKeySecret']) && isText(value['credentials']['securityToken']);

/**
Whether a record obtained at `obtainedAt` and expiring at `expiresAt` is still good at `now`, refreshing `marginMs`
early — but never more than half its lifetime early, so short-lived tokens are still used.
*/
export const isFresh = ({obtainedAt, expiresAt}: {obtainedAt: number; expiresAt: number}, marginMs: number, now: number): boolean =>
	expiresAt - Math.min(marginMs, (expiresAt - obtainedAt) / 2) > now;
