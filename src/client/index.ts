export {createClient} from './create-client.js';
export {createFetchTransport, readProxyAnswer, type Transport, type FetchTransportOptions, type CallResult, type ProxyMeta} from './transport.js';
export type {ClientOptions, Identity, SecToken, OssCredentialParams, CallOptions, TopsecClient} from './types.js';
