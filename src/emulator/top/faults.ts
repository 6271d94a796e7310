/**
The fault queue: FIFO, scoped by method, each fault counting down its `times`.
@module
*/
import {OSS_TOKEN_METHOD} from '../../top/apis.js';
import type {TopFault} from './types.js';

/** Faults that hit before the gateway looks at the request (load balancer, network). */
const TRANSPORT_KINDS: ReadonlySet<TopFault['kind']> = new Set(['delay', 'http', 'drop']);

/** Whether `fault` happens before the gateway's checks (`delay`, `http`, `drop`) rather than in the backend. */
export const isTransportFault = (fault: TopFault): boolean => TRANSPORT_KINDS.has(fault.kind);

type Entry = {fault: TopFault; remaining: number};

/** A FIFO of injected faults. */
export type FaultQueue = {
	/** Queues `fault` after validating it. */
	push(fault: TopFault): void;
	/** The first queued fault that applies to `method`, without consuming it. */
	peek(method: string): TopFault | undefined;
	/** Counts one use of `fault` (as returned by `peek`), dropping it when used up. */
	consume(fault: TopFault): void;
	/** Drops every fault. */
	clear(): void;
};

function validateFault(fault: TopFault): void {
	const times = fault.times ?? 1;
	if (!(times >= 1)) throw new TypeError('`times` must be at least 1 (or Infinity)');
	switch (fault.kind) {
		case 'delay':
			if (!(fault.ms >= 0) || !Number.isFinite(fault.ms)) throw new TypeError('`ms` of a delay fault must be a finite number ≥ 0');
			return;
		case 'http':
			if (!Number.isInteger(fault.status) || fault.status < 100 || fault.status > 599) throw new TypeError('`status` of an http fault must be an HTTP status');
			return;
		case 'error':
			if (!Number.isInteger(fault.code) || typeof fault.msg !== 'string') throw new TypeError('An error fault needs an integer `code` and a `msg`');
			return;
		case 'business-failure':
			if (typeof fault.msgCode !== 'string' || typeof fault.msgInfo !== 'string') throw new TypeError('A business-failure fault needs `msgCode` and `msgInfo`');
			return;
		case 'isp':
		case 'drop':
			return;
		default:
			throw new TypeError(`Unknown fault kind \`${String((fault as {kind?: unknown}).kind)}\``);
	}
}

/** Whether `fault` applies to a request for `method`. A business failure only makes sense where a `result` is answered. */
function applies(fault: TopFault, method: string): boolean {
	if (fault.method !== undefined) return fault.method === method;
	return fault.kind !== 'business-failure' || method === OSS_TOKEN_METHOD;
}

/** Creates an empty {@link FaultQueue}. */
export function createFaultQueue(): FaultQueue {
	let entries: Entry[] = [];
	return {
		push(fault) {
			validateFault(fault);
			entries.push({fault: {...fault}, remaining: fault.times ?? 1});
		},
		peek(method) {
			return entries.find((entry) => applies(entry.fault, method))?.fault;
		},
		consume(fault) {
			const entry = entries.find((candidate) => candidate.fault === fault);
			if (entry && --entry.remaining <= 0) entries = entries.filter((candidate) => candidate !== entry);
		},
		clear() {
			entries = [];
		},
	};
}
