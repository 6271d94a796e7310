/**
topsec — secToken and OSS credentials for Taobao Open Platform pages and mini-apps, through a signing proxy.
@module
*/
export {createClient, createFetchTransport, readProxyAnswer} from './client/index.js';
export type {ClientOptions, Identity, SecToken, OssCredentialParams, CallOptions, TopsecClient, Transport, FetchTransportOptions, CallResult, ProxyMeta} from './client/index.js';
export {createIdbStorage, createMemoryStorage} from './storage/index.js';
export type {StorageAdapter, IdbStorageOptions} from './storage/index.js';
export {TopsecError, isTopsecError, TopError, isTopError, ProxyError, isProxyError, OssError, isOssError} from './errors/index.js';
export type {TopErrorFields} from './errors/index.js';
export type {OssCredentials} from './oss/types.js';
