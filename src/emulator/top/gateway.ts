/**
The TOP gateway emulator: parses, records, injects faults, checks like the real gateway, and answers.
@module
*/
import type {IncomingMessage, ServerResponse} from 'node:http';
import {setTimeout as sleep} from 'node:timers/promises';
import {OSS_TOKEN_METHOD, SEC_TOKEN_METHOD, SEED_APIS} from '../../top/apis.js';
import {responseKey} from '../../top/response.js';
import {businessFailureAnswer, defaultOssDir, newRequestId, ossTokenAnswer, secTokenAnswer, type OssAnswerConfig} from './answers.js';
import {createFaultQueue, isTransportFault} from './faults.js';
import {answerFormat, sendHttpStatus, sendTopAnswer, type AnswerFormat} from './render.js';
import {readTopParams} from './request.js';
import {gatewayError, type GatewayError} from './top-errors.js';
import type {TopCall, TopEmulator, TopEmulatorOptions, TopFault, TopResponder} from './types.js';
import {businessParams, validateTopRequest} from './validate.js';

/** The app key the emulator knows by default. */
export const DEFAULT_APP_KEY = '10000001';
/** The secret of {@link DEFAULT_APP_KEY}. Only for local development: it is public. */
export const DEFAULT_APP_SECRET = 'topsec-emulator-secret';

const isOk = (call: TopCall): boolean => call.status === 200 && call.errorCode === undefined && call.fault !== 'business-failure';

function atLeast(min: number, value: number, name: string): number {
	if (!(value >= min) || !Number.isFinite(value)) throw new TypeError(`\`${name}\` must be a finite number ≥ ${min}`);
	return value;
}

/**
Creates a local TOP gateway answering `taobao.top.sec.token.get` and `taobao.wdk.iot.wombat.common.gettoken` (and
any method given in `respond`), as strict as the real one: system params, signature (md5, hmac, hmac-sha256),
timestamp skew, version, business params (codes 40/41), with TOP's codes and messages.
@example
```
const emulator = createTopEmulator({sts: createStsIssuer()});
const {url, close} = await listenTopEmulator(emulator);
emulator.inject({kind: 'isp', method: 'taobao.top.sec.token.get'});
```
*/
export function createTopEmulator(options: TopEmulatorOptions): TopEmulator {
	if (typeof options?.sts?.mint !== 'function') throw new TypeError('`sts` must be an STS issuer (createStsIssuer())');
	const apps: Readonly<Record<string, string>> = {...(options.apps ?? {[DEFAULT_APP_KEY]: DEFAULT_APP_SECRET})};
	const now = options.now ?? Date.now;
	const maxSkewMs = options.maxSkewMs ?? 600_000;
	const respond = options.respond ?? {};
	let secTokenTtlSeconds = atLeast(0, options.secTokenTtlSeconds ?? 7200, 'secTokenTtlSeconds');
	const region = options.oss?.region ?? 'cn-hangzhou';
	const endpoint = options.oss?.endpoint ?? `http://oss-${region}.localhost`;
	const oss: OssAnswerConfig = {
		sts: options.sts,
		ttlMs: atLeast(1, options.ossCredentialTtlMs ?? 3_600_000, 'ossCredentialTtlMs'),
		bucket: options.oss?.bucket ?? 'topsec-dev',
		region,
		endpoint: typeof endpoint === 'function' ? endpoint : () => endpoint,
		dir: options.oss?.dir ?? defaultOssDir,
	};
	const apiSpec = (method: string) => (Object.hasOwn(SEED_APIS, method) ? SEED_APIS[method] : Object.hasOwn(respond, method) && respond[method] ? null : undefined);

	const faults = createFaultQueue();
	const calls: TopCall[] = [];

	function success(method: string, params: Record<string, string>): Record<string, unknown> {
		const custom: TopResponder | undefined = Object.hasOwn(respond, method) ? respond[method] : undefined;
		if (custom) return {...custom(params)};
		if (method === SEC_TOKEN_METHOD) return secTokenAnswer(secTokenTtlSeconds);
		if (method === OSS_TOKEN_METHOD) return ossTokenAnswer(oss, params);
		// Unreachable: validation refuses methods with neither a spec nor a responder.
		return {};
	}

	async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const requestId = newRequestId();
		const call: TopCall = {at: now(), method: '', appKey: '', signMethod: 'md5', params: {}, status: 0};
		calls.push(call);
		const answerError = (error: GatewayError, format: AnswerFormat) => {
			call.status = 200;
			call.errorCode = error.code;
			if (error.sub_code !== undefined) call.subCode = error.sub_code;
			sendTopAnswer(res, 'error_response', {...error, request_id: requestId}, format);
		};
		const answerStatus = (status: number, headers?: Record<string, string>) => {
			call.status = status;
			sendHttpStatus(res, status, headers);
		};

		if (req.method !== 'POST' && req.method !== 'GET') return answerStatus(405, {Allow: 'GET, POST'});
		const read = await readTopParams(req);
		if (read.kind === 'too-large') return answerStatus(413, {Connection: 'close'});
		const {params} = read;
		call.method = params['method'] ?? '';
		call.appKey = params['app_key'] ?? '';
		call.signMethod = params['sign_method'] || 'md5';
		call.params = businessParams(params);
		const format = answerFormat(params);

		// One fault per request: the first queued one for this method, if it acts before the gateway's checks.
		const first = faults.peek(call.method);
		const transport = first !== undefined && isTransportFault(first) ? first : undefined;
		if (transport) {
			faults.consume(transport);
			call.fault = transport.kind;
			if (transport.kind === 'drop') {
				req.socket.destroy();
				return;
			}
			if (transport.kind === 'http') return answerStatus(transport.status);
			if (transport.kind === 'delay') await sleep(transport.ms);
		}

		const error = await validateTopRequest(params, read.badEncoding, {apps, apiSpec, now: now(), maxSkewMs});
		if (error) return answerError(error, format);

		const fault: TopFault | undefined = transport ? undefined : faults.peek(call.method);
		if (fault && !isTransportFault(fault)) {
			faults.consume(fault);
			call.fault = fault.kind;
			if (fault.kind === 'isp') return answerError(gatewayError(15, fault.subCode ?? 'isp.remote-service-timeout', 'Remote service timeout'), format);
			if (fault.kind === 'error') {
				const injected: GatewayError = {code: fault.code, msg: fault.msg};
				if (fault.subCode !== undefined) injected.sub_code = fault.subCode;
				if (fault.subMsg !== undefined) injected.sub_msg = fault.subMsg;
				return answerError(injected, format);
			}
			if (fault.kind === 'business-failure') {
				call.status = 200;
				call.subCode = fault.msgCode;
				return sendTopAnswer(res, responseKey(call.method), {...businessFailureAnswer(fault.msgCode, fault.msgInfo), request_id: requestId}, format);
			}
		}

		let content: Record<string, unknown>;
		try {
			content = success(call.method, call.params);
		} catch {
			// A responder (or the STS issuer) that throws is a failing backend.
			return answerError(gatewayError(15, 'isp.unknown-error', 'The service failed'), format);
		}
		call.status = 200;
		sendTopAnswer(res, responseKey(call.method), {...content, request_id: content['request_id'] ?? requestId}, format);
	}

	return {
		handle(req, res) {
			serve(req, res).catch(() => {
				// Only a broken connection gets here (reading failed); nothing useful can be answered.
				if (!res.headersSent && !res.destroyed) sendHttpStatus(res, 500);
				else res.destroy();
			});
		},
		get calls() {
			return calls;
		},
		count(method, filter) {
			return calls.filter((call) => (method === undefined || call.method === method) && (filter?.ok === undefined || isOk(call) === filter.ok)).length;
		},
		clearCalls() {
			calls.length = 0;
		},
		inject(fault) {
			faults.push(fault);
		},
		clearFaults() {
			faults.clear();
		},
		setSecTokenTtlSeconds(seconds) {
			secTokenTtlSeconds = atLeast(0, seconds, 'seconds');
		},
	};
}
