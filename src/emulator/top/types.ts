/**
Public types of the TOP gateway emulator.
@module
*/
import type {IncomingMessage, ServerResponse} from 'node:http';
import type {StsIssuer} from '../sts.js';

/** Builds the success object placed inside `<method>_response` from the business params received. */
export type TopResponder = (params: Record<string, string>) => Record<string, unknown>;

/** Where gettoken says uploads go. */
export type TopEmulatorOssOptions = {
	/**
	Bucket named in gettoken answers.
	@default 'topsec-dev'
	*/
	bucket?: string;
	/**
	OSS region named in gettoken answers.
	@default 'cn-hangzhou'
	*/
	region?: string;
	/**
	OSS endpoint named in gettoken answers; a function is called per answer, so a server can fill in its port later.
	@default `http://oss-${region}.localhost`
	*/
	endpoint?: string | (() => string);
	/**
	The key prefix granted for the given business params (should end with `/`).
	@default `uploads/${merchant_code || 'default'}/`, the merchant code sanitised to `[A-Za-z0-9_-]`
	*/
	dir?: (params: Record<string, string>) => string;
};

/** Options of {@link createTopEmulator}. */
export type TopEmulatorOptions = {
	/** STS issuer shared with the OSS emulator; gettoken mints credentials with it. */
	sts: StsIssuer;
	/**
	Known apps, `app_key` → secret.
	@default {[DEFAULT_APP_KEY]: DEFAULT_APP_SECRET}
	*/
	apps?: Record<string, string>;
	/**
	Lifetime of a secToken, returned as `expire_time` (seconds).
	@default 7200
	*/
	secTokenTtlSeconds?: number;
	/**
	Lifetime of minted STS credentials (ms).
	@default 3_600_000
	*/
	ossCredentialTtlMs?: number;
	/** Bucket, region, endpoint and dir that gettoken answers with. */
	oss?: TopEmulatorOssOptions;
	/**
	Largest accepted distance between a request's `timestamp` and the emulator's clock (ms).
	@default 600_000
	*/
	maxSkewMs?: number;
	/**
	The emulator's clock (epoch ms).
	@default Date.now
	*/
	now?: () => number;
	/**
	Replaces the success object inside `<method>_response` for a method. A method listed here that is not one of
	`SEED_APIS` is accepted too (its business params are then not checked).
	*/
	respond?: Partial<Record<string, TopResponder>>;
};

/** Where a fault applies: only to `method` when given, `times` requests (default 1, `Infinity` allowed). */
export type TopFaultScope = {
	/** Only requests for this TOP method consume the fault. */
	method?: string;
	/**
	How many matching requests it applies to.
	@default 1
	*/
	times?: number;
};

/**
A fault to inject. Transport faults (`delay`, `http`, `drop`) apply to the next matching request as soon as it is
parsed, valid or not; answer faults (`isp`, `error`, `business-failure`) apply once the request passed every gateway
check, as a failing backend would. `business-failure` without `method` applies to gettoken only.
*/
export type TopFault = (
	| {kind: 'delay'; ms: number}
	| {kind: 'http'; status: number}
	| {kind: 'isp'; subCode?: string}
	| {kind: 'drop'}
	| {kind: 'error'; code: number; msg: string; subCode?: string; subMsg?: string}
	| {kind: 'business-failure'; msgCode: string; msgInfo: string}
) &
	TopFaultScope;

/** One request the emulator received. */
export type TopCall = {
	/** Epoch ms (the emulator's clock) when it arrived. */
	at: number;
	/** The `method` param (`''` when absent). */
	method: string;
	/** The `app_key` param (`''` when absent). */
	appKey: string;
	/** The `sign_method` param (`md5` when absent, as TOP assumes). */
	signMethod: string;
	/** Business params only (system params such as `sign` and `timestamp` left out). */
	params: Record<string, string>;
	/** HTTP status answered; `0` while pending or when the connection was dropped. */
	status: number;
	/** `error_response.code`, when the answer was one. */
	errorCode?: number;
	/** `error_response.sub_code`, or the `msg_code` of a business failure. */
	subCode?: string;
	/** The injected fault that applied to this request. */
	fault?: TopFault['kind'];
};

/** A local TOP gateway. */
export type TopEmulator = {
	/** `node:http` request handler for POST (and GET with query) `/router/rest`; the caller routes to it. */
	handle(req: IncomingMessage, res: ServerResponse): void;
	/** Every request received, in order. */
	readonly calls: readonly TopCall[];
	/** How many calls were received, for `method` when given; `{ok: true}` counts successful answers only. */
	count(method?: string, filter?: {ok?: boolean}): number;
	/** Forgets the recorded calls. */
	clearCalls(): void;
	/** Queues a fault (FIFO). */
	inject(fault: TopFault): void;
	/** Drops every queued fault. */
	clearFaults(): void;
	/** Changes the secToken lifetime (`expire_time`, seconds) of later answers. */
	setSecTokenTtlSeconds(seconds: number): void;
};
