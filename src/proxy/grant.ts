/**
Proxy grants (docs/PROTOCOL.md §Grant): `v1.<payload>.<mac>`, payload = base64url(JSON {id, exp, kid}),
mac = base64url(HMAC-SHA256(grant key, "v1." + payload)). Stateless, so every instance with the same keys agrees.
Web Crypto only; imported keys are cached for the life of the proxy.
@module
*/
import {fromBase64Url, toBase64Url} from './base64url.js';

/** What a valid grant says: who (identity digest), until when (epoch ms), and which key signed it. */
export type GrantClaims = {
	/** First 22 characters of base64url(SHA-256(`open_id\noeid\nieid`)). */
	id: string;
	/** Expiry, epoch ms. */
	exp: number;
	/** Id of the key that signed it (first 8 characters of base64url(SHA-256(key))). */
	kid: string;
};

/** The outcome of checking a grant. */
export type GrantCheck = {ok: true; claims: GrantClaims} | {ok: false; subCode: 'topsec.grant-invalid' | 'topsec.grant-expired'};

/** Issues and verifies grants with one keyring. */
export type Grants = {
	/** A grant for the identity whose {@link identityDigest} is `id`, valid until `exp` (epoch ms), signed with the first key. */
	issue(id: string, exp: number): Promise<string>;
	/** Checks a grant's format, signature (against every key, in constant time) and expiry at `now`. */
	verify(value: string, now: number): Promise<GrantCheck>;
};

type SigningKey = {kid: string; key: CryptoKey};

const VERSION = 'v1';
const MAX_GRANT_LENGTH = 1024;
const GRANT_FORMAT = /^v1\.([A-Za-z0-9_-]{1,700})\.([A-Za-z0-9_-]{43})$/;
const encoder = new TextEncoder();

async function hmac(key: CryptoKey, text: string): Promise<Uint8Array> {
	return new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(text)));
}

const importHmacKey = (raw: Uint8Array) => crypto.subtle.importKey('raw', raw as BufferSource, {name: 'HMAC', hash: 'SHA-256'}, false, ['sign']);

const sha256 = async (data: Uint8Array) => new Uint8Array(await crypto.subtle.digest('SHA-256', data as BufferSource));

/** Equality of two strings whose time depends only on their lengths, not on where they differ. */
export function timingSafeEqual(a: string, b: string): boolean {
	const x = encoder.encode(a);
	const y = encoder.encode(b);
	let diff = x.length ^ y.length;
	for (let i = 0; i < x.length; i++) diff |= x[i]! ^ (y[i % (y.length || 1)] ?? 0);
	return diff === 0;
}

/**
The identity digest of a grant: base64url(SHA-256(`open_id\noeid\nieid`)), first 22 characters. Absent values
count as empty strings.
@example
```
await identityDigest({open_id: 'o1'}); // 'k0G…' (22 characters)
```
*/
export async function identityDigest(identity: Readonly<Record<string, unknown>>): Promise<string> {
	const part = (name: string) => (identity[name] === undefined || identity[name] === null ? '' : String(identity[name]));
	const digest = await sha256(encoder.encode(`${part('open_id')}\n${part('oeid')}\n${part('ieid')}`));
	return toBase64Url(digest).slice(0, 22);
}

/**
A grant keyring. `keys` are the `grantKeys` option (first signs, all verify); without them one key is derived
from `secret` as HMAC-SHA256(secret, "topsec-grant-v1"). Keys are imported on first use and cached.
@example
```
const grants = createGrants(undefined, appSecret);
const value = await grants.issue(await identityDigest({open_id: 'o1'}), Date.now() + 7_200_000);
await grants.verify(value, Date.now()); // {ok: true, claims: {id, exp, kid}}
```
*/
export function createGrants(keys: readonly string[] | undefined, secret: string): Grants {
	let keyring: Promise<SigningKey[]> | undefined;
	const load = () =>
		(keyring ??= (async () => {
			const raws = keys?.length ? keys.map((key) => encoder.encode(key)) : [await hmac(await importHmacKey(encoder.encode(secret)), 'topsec-grant-v1')];
			return Promise.all(raws.map(async (raw) => ({kid: toBase64Url(await sha256(raw)).slice(0, 8), key: await importHmacKey(raw)})));
		})());

	return {
		async issue(id, exp) {
			const [signer] = await load();
			const claims: GrantClaims = {id, exp: Math.floor(exp), kid: signer!.kid};
			const payload = toBase64Url(encoder.encode(JSON.stringify(claims)));
			return `${VERSION}.${payload}.${toBase64Url(await hmac(signer!.key, `${VERSION}.${payload}`))}`;
		},

		async verify(value, now) {
			const invalid = {ok: false, subCode: 'topsec.grant-invalid'} as const;
			if (typeof value !== 'string' || value.length > MAX_GRANT_LENGTH) return invalid;
			const match = GRANT_FORMAT.exec(value);
			if (!match) return invalid;
			const [, payload, mac] = match as unknown as [string, string, string];
			// Every key is tried, and every comparison runs to the end, so timing says nothing about which part matched.
			let valid = false;
			for (const {key} of await load()) {
				if (timingSafeEqual(toBase64Url(await hmac(key, `${VERSION}.${payload}`)), mac)) valid = true;
			}
			if (!valid) return invalid;
			let claims: unknown;
			try {
				claims = JSON.parse(new TextDecoder('utf-8', {fatal: true}).decode(fromBase64Url(payload)));
			} catch {
				return invalid;
			}
			if (typeof claims !== 'object' || claims === null) return invalid;
			const {id, exp, kid} = claims as Record<string, unknown>;
			if (typeof id !== 'string' || typeof kid !== 'string' || typeof exp !== 'number' || !Number.isSafeInteger(exp)) return invalid;
			if (exp <= now) return {ok: false, subCode: 'topsec.grant-expired'};
			return {ok: true, claims: {id, exp, kid}};
		},
	};
}
