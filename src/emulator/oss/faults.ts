/**
Fault injection for the OSS emulator: a FIFO of faults, each applied to matching requests `times` times or with a
seeded probability.
@module
*/

/** What a fault does. */
export type OssFaultAction =
	/** Answer with this status (500 → `InternalError`, 503 → `ServiceUnavailable`) after reading the body. */
	| {kind: 'http'; status: number}
	/** Destroy the socket once part of the body has arrived (at once when the request has no body). */
	| {kind: 'drop'}
	/** Wait, then answer normally. */
	| {kind: 'delay'; ms: number}
	/** Call `sts.expireAll()`, then answer normally: this and later requests see `SecurityTokenExpired`. */
	| {kind: 'expire-credentials'};

/** A fault with its matching and repetition rules. */
export type OssFault = OssFaultAction & {
	/**
	Which requests it applies to. CORS preflights (`OPTIONS`) match only when `method` is `'OPTIONS'`.
	`partNumber: true` restricts it to UploadPart requests.
	*/
	match?: {method?: string; partNumber?: boolean};
	/**
	How many requests it applies to before it is used up.
	@default 1, or unlimited when `probability` is set
	*/
	times?: number;
	/** Chance (0..1) that a matching request gets the fault; drawn from a RNG seeded with `seed`. */
	probability?: number;
	/**
	Seed of this fault's RNG (mulberry32), so probabilistic runs repeat.
	@default 1
	*/
	seed?: number;
};

/** The kind of a fault, as the request log records it. */
export type OssFaultKind = OssFaultAction['kind'];

type Entry = {fault: OssFault; remaining: number; random: () => number};

/** Small seedable RNG (mulberry32). */
export function mulberry32(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/** The queue the emulator consults for every request. */
export type FaultQueue = {
	inject(fault: OssFault): void;
	clear(): void;
	/** The fault to apply to this request, if any (and counts it). */
	take(method: string, isUploadPart: boolean): OssFault | undefined;
};

/** Creates an empty {@link FaultQueue}; validates faults as they are injected. */
export function createFaultQueue(): FaultQueue {
	let entries: Entry[] = [];
	return {
		inject(fault) {
			if (fault.kind === 'http' && !(Number.isInteger(fault.status) && fault.status >= 400 && fault.status <= 599)) {
				throw new TypeError('`status` of an http fault must be an HTTP error status (400..599)');
			}
			if (fault.kind === 'delay' && !(fault.ms >= 0)) throw new TypeError('`ms` of a delay fault must be ≥ 0');
			if (fault.probability !== undefined && !(fault.probability >= 0 && fault.probability <= 1)) {
				throw new TypeError('`probability` must be between 0 and 1');
			}
			const remaining = fault.times ?? (fault.probability === undefined ? 1 : Number.POSITIVE_INFINITY);
			entries.push({fault, remaining, random: mulberry32(fault.seed ?? 1)});
		},
		clear() {
			entries = [];
		},
		take(method, isUploadPart) {
			for (const entry of entries) {
				const {match} = entry.fault;
				if (match?.method ? match.method.toUpperCase() !== method : method === 'OPTIONS') continue;
				if (match?.partNumber && !isUploadPart) continue;
				if (entry.fault.probability !== undefined && entry.random() >= entry.fault.probability) continue;
				entry.remaining--;
				if (entry.remaining <= 0) entries = entries.filter(e => e !== entry);
				return entry.fault;
			}
			return undefined;
		},
	};
}
