/**
topsec/miniapp — the client in Alipay/Taobao (`my.*`) and WeChat (`wx.*`) mini-programs, which have no `fetch`, no
IndexedDB and no PUT upload: a transport over `request`, storage over `getStorage`/`setStorage`, and uploads over
`uploadFile` with a PostObject policy. Pass the platform global (`my` or `wx`) to each.
@module
*/
export {createMiniappTransport, type MiniappTransportOptions} from './transport.js';
export {createMiniappStorage, type MiniappStorageOptions} from './storage.js';
export {uploadFile, type MiniappUploadOptions, type MiniappUploadResult} from './upload.js';
export type {MiniappApi, MiniappRequestApi, MiniappStorageApi, MiniappUploadApi, MiniappRequestOptions, MiniappUploadFileOptions, MiniappResponse, MiniappFailure, MiniappProgress, MiniappTask} from './types.js';
