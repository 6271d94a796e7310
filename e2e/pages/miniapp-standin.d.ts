// Types for miniapp-standin.js, the stand-in for the mini-program runtime that e2e/miniapp.spec.ts imports in the page
// (as `/miniapp-standin.js` inside `page.evaluate`).
import type {MiniappApi} from 'topsec/miniapp';

/** A call the stand-in recorded, by API name. */
export type StandInCall =
	| {name: 'request'; url: string; method: string | undefined}
	| {name: 'getStorage' | 'setStorage' | 'removeStorage'; key: string}
	| {name: 'getStorageInfo'}
	| {name: 'uploadFile'; url: string; formData: Record<string, string>; fileType: string | undefined; fieldName: string | undefined};

export type StandIn = {
	/** Looks like `my` (platform 'alipay') or `wx` (platform 'wechat'). */
	api: MiniappApi;
	/** Local paths (as `chooseImage` would hand out) to their contents. */
	files: Map<string, Blob>;
	/** The raw key-value store: keys to JSON text. */
	storage: Map<string, string>;
	/** Every call, in order. */
	calls: StandInCall[];
};

/** Creates a stand-in for Alipay's `my` ('alipay') or WeChat's `wx` ('wechat'). */
export declare function createStandIn(platform: 'alipay' | 'wechat'): StandIn;
