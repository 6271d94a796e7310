/**
STS credentials for the emulators: the TOP emulator's gettoken mints them, the OSS emulator verifies them. Stateless
(derived from a master key) so any number of emulator instances sharing the key agree, plus one piece of state:
"everything issued before T is expired", which fault injection uses to expire credentials early.
@module
*/
import {createHmac, randomBytes, timingSafeEqual} from 'node:crypto';

/** What a set of STS credentials allows. */
export type StsScope = {
	/** Bucket the credentials may write to. */
	bucket: string;
	/** Key prefix the credentials may write under (ends with `/`, or `''` for the whole bucket). */
	dir: string;
	/** OSS region, e.g. `cn-hangzhou`. */
	region: string;
};

/** Credentials as minted. */
export type StsCredentials = StsScope & {
	accessKeyId: string;
	accessKeySecret: string;
	securityToken: string;
	/** Epoch ms. */
	expiresAt: number;
	/** Epoch ms. */
	issuedAt: number;
};

/** Why a presented key/token pair is refused, as OSS error codes. */
export type StsRefusal = 'InvalidAccessKeyId' | 'SecurityTokenExpired' | 'InvalidSecurityToken';

/** The issuer/verifier both emulators share. */
export type StsIssuer = {
	/** Mints credentials for `scope` living `ttlMs`. */
	mint(scope: StsScope, ttlMs: number): StsCredentials;
	/** Checks a key id and token; on success returns the secret and scope. */
	verify(accessKeyId: string, securityToken: string | undefined): {ok: true; credentials: StsCredentials} | {ok: false; code: StsRefusal};
	/** Expires every credential issued up to now (fault injection: "credentials expiring early"). */
	expireAll(): void;
};

const b64url = (buf: Buffer | string) => Buffer.from(buf).toString('base64url');
const mac = (key: Buffer, text: string) => createHmac('sha256', key).update(text).digest();

/** Creates an {@link StsIssuer}. `masterKey` defaults to a random key; `now` to `Date.now`. */
export function createStsIssuer(options: {masterKey?: string; now?: () => number} = {}): StsIssuer {
	const key = options.masterKey ? Buffer.from(options.masterKey) : randomBytes(32);
	const now = options.now ?? Date.now;
	let expiredBefore = 0;
	const secretFor = (accessKeyId: string) => mac(key, `secret:${accessKeyId}`).toString('base64url').slice(0, 30);

	return {
		mint(scope, ttlMs) {
			const issuedAt = now();
			const accessKeyId = `STS.${randomBytes(12).toString('base64url')}`;
			const expiresAt = issuedAt + ttlMs;
			const payload = b64url(JSON.stringify({a: accessKeyId, b: scope.bucket, d: scope.dir, r: scope.region, e: expiresAt, i: issuedAt}));
			const securityToken = `${payload}.${mac(key, payload).toString('base64url')}`;
			return {...scope, accessKeyId, accessKeySecret: secretFor(accessKeyId), securityToken, expiresAt, issuedAt};
		},
		verify(accessKeyId, securityToken) {
			if (!accessKeyId.startsWith('STS.')) return {ok: false, code: 'InvalidAccessKeyId'};
			if (!securityToken) return {ok: false, code: 'InvalidAccessKeyId'};
			const [payload, signature] = securityToken.split('.');
			if (!payload || !signature) return {ok: false, code: 'InvalidSecurityToken'};
			const expected = mac(key, payload);
			const given = Buffer.from(signature, 'base64url');
			if (given.length !== expected.length || !timingSafeEqual(given, expected)) return {ok: false, code: 'InvalidSecurityToken'};
			let claims: {a: string; b: string; d: string; r: string; e: number; i: number};
			try {
				claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
			} catch {
				return {ok: false, code: 'InvalidSecurityToken'};
			}
			if (claims.a !== accessKeyId) return {ok: false, code: 'InvalidAccessKeyId'};
			if (claims.e <= now() || claims.i <= expiredBefore) return {ok: false, code: 'SecurityTokenExpired'};
			return {
				ok: true,
				credentials: {accessKeyId, accessKeySecret: secretFor(accessKeyId), securityToken, bucket: claims.b, dir: claims.d, region: claims.r, expiresAt: claims.e, issuedAt: claims.i},
			};
		},
		expireAll() {
			expiredBefore = now();
		},
	};
}
