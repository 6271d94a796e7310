/**
The part of a mini-program's global API (`my` on Alipay/Taobao, `wx` on WeChat) that topsec uses, written so both
platforms' objects fit as they are: `createMiniappTransport(my, …)` and `createMiniappTransport(wx, …)` type-check
against `@mini-types/alipay` and `miniprogram-api-typings` (see `platform-check.ts`). Only the shapes are declared
here, so apps need neither typings package.
@module
*/

/** What a failed call hands to `fail`: Alipay `{error, errorMessage}` (an HTTP error may add `status`/`data`), WeChat `{errMsg, errno}`. */
export type MiniappFailure = {error?: number; errorMessage?: string; errMsg?: string; errno?: number; status?: number; statusCode?: number; data?: unknown; headers?: Record<string, unknown>; header?: Record<string, unknown>};

/** A request's answer: Alipay gives `status`/`headers` (and the WeChat names too), WeChat `statusCode`/`header`. */
export type MiniappResponse = {data?: unknown; status?: number; statusCode?: number; headers?: Record<string, unknown>; header?: Record<string, unknown>};

/** Progress of `uploadFile`: Alipay reports `totalBytesWritten`, WeChat `totalBytesSent`. */
export type MiniappProgress = {progress?: number; totalBytesSent?: number; totalBytesExpectedToSend?: number; totalBytesWritten?: number; totalBytesExpectedToWrite?: number};

/** The task `request`/`uploadFile` return (both platforms). */
export type MiniappTask = {abort(...args: never[]): unknown; onProgressUpdate?(listener: (event: MiniappProgress) => void): unknown} | void;

/** Options topsec passes to `request`; the header is given under both platforms' names. */
export type MiniappRequestOptions = {
	url: string;
	method: 'POST';
	data: string;
	header: Record<string, string>;
	headers: Record<string, string>;
	dataType: 'json';
	timeout: number;
	success(response: MiniappResponse): void;
	fail(failure: MiniappFailure): void;
};

/** Options topsec passes to `uploadFile`: the OSS PostObject form fields and the file field `file`. */
export type MiniappUploadFileOptions = {
	url: string;
	filePath: string;
	/** The file field's name (`file`, as OSS wants it). */
	name: string;
	/** Alipay's alias of `name`. */
	fileName: string;
	/** Alipay requires it: `image`, `video` or `audio`. */
	fileType: string;
	formData: Record<string, string>;
	timeout?: number;
	success(response: {data: string; statusCode: number; header?: Record<string, unknown>}): void;
	fail(failure: MiniappFailure): void;
};

/** The storage calls of `my` and `wx`. */
export type MiniappStorageApi = {
	getStorage(options: {key: string; success(result: {data: unknown}): void; fail(failure: MiniappFailure): void}): unknown;
	setStorage(options: {key: string; data: unknown; success(result: unknown): void; fail(failure: MiniappFailure): void}): unknown;
	removeStorage(options: {key: string; success(result: unknown): void; fail(failure: MiniappFailure): void}): unknown;
	getStorageInfo(options: {success(result: {keys: string[]}): void; fail(failure: MiniappFailure): void}): unknown;
};

/** `my.request` / `wx.request`. */
export type MiniappRequestApi = {request(options: MiniappRequestOptions): MiniappTask};

/** `my.uploadFile` / `wx.uploadFile`. */
export type MiniappUploadApi = {uploadFile(options: MiniappUploadFileOptions): MiniappTask};

/** Everything topsec/miniapp uses of `my` or `wx`; each function asks only for its part. */
export type MiniappApi = MiniappRequestApi & MiniappStorageApi & MiniappUploadApi;
