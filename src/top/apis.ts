/**
The TOP APIs topsec knows, with the shape of their business params. The proxy allows exactly these by default and
validates against them; the emulator answers them and checks the same rules (TOP's own codes 40/41).
@module
*/

/** How one business param is checked. */
export type ParamSpec =
	| {type: 'string'; maxLength: number; required?: boolean}
	| {type: 'number'; min?: number; max?: number; integer?: boolean; required?: boolean};

/** One API: its params, and which of them must have at least one present. */
export type ApiSpec = {
	params: Record<string, ParamSpec>;
	/** At least one of these params must be present. */
	requireOneOf?: readonly string[];
};

/** The method name of the secToken API. */
export const SEC_TOKEN_METHOD = 'taobao.top.sec.token.get';
/** The method name of the OSS STS credentials API. */
export const OSS_TOKEN_METHOD = 'taobao.wdk.iot.wombat.common.gettoken';

/** The two seed APIs. */
export const SEED_APIS: Readonly<Record<string, ApiSpec>> = {
	[SEC_TOKEN_METHOD]: {
		params: {
			open_id: {type: 'string', maxLength: 128},
			oeid: {type: 'string', maxLength: 128},
			ieid: {type: 'string', maxLength: 128},
		},
		requireOneOf: ['open_id', 'oeid', 'ieid'],
	},
	[OSS_TOKEN_METHOD]: {
		params: {
			merchant_code: {type: 'string', maxLength: 64},
			scenes_code: {type: 'number', integer: true, min: 0, max: 2_147_483_647},
			ou_code: {type: 'string', maxLength: 64},
			robot_sn: {type: 'string', maxLength: 64},
		},
	},
};

/** Why a param set does not fit its {@link ApiSpec}. */
export type ParamProblem = {kind: 'missing' | 'unknown' | 'type' | 'length' | 'range'; param: string; message: string};

/**
Checks business `params` against `spec`. Values may arrive as JSON values (proxy) or strings (gateway form), so
numbers given as decimal strings are accepted where a number is expected when `fromForm` is set.
*/
export function checkParams(spec: ApiSpec, params: Record<string, unknown>, fromForm = false): ParamProblem | undefined {
	for (const name of Object.keys(params)) {
		if (!Object.hasOwn(spec.params, name)) return {kind: 'unknown', param: name, message: `unknown param \`${name}\``};
	}
	for (const [name, rule] of Object.entries(spec.params)) {
		const value = params[name];
		if (value === undefined || value === null || value === '') {
			if (rule.required) return {kind: 'missing', param: name, message: `missing required param \`${name}\``};
			continue;
		}
		if (rule.type === 'string') {
			if (typeof value !== 'string') return {kind: 'type', param: name, message: `param \`${name}\` must be a string`};
			if (value.length > rule.maxLength) return {kind: 'length', param: name, message: `param \`${name}\` is longer than ${rule.maxLength} characters`};
		} else {
			const number = typeof value === 'number' ? value : fromForm && typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : Number.NaN;
			if (!Number.isFinite(number)) return {kind: 'type', param: name, message: `param \`${name}\` must be a number`};
			if ((rule.integer && !Number.isInteger(number)) || (rule.min !== undefined && number < rule.min) || (rule.max !== undefined && number > rule.max)) {
				return {kind: 'range', param: name, message: `param \`${name}\` is out of range`};
			}
		}
	}
	if (spec.requireOneOf && !spec.requireOneOf.some((name) => params[name] !== undefined && params[name] !== null && params[name] !== '')) {
		return {kind: 'missing', param: spec.requireOneOf.join('|'), message: `one of ${spec.requireOneOf.map((n) => `\`${n}\``).join(', ')} is required`};
	}
	return undefined;
}
