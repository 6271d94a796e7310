export {createClient} from './create-client.js';
export {readProxyAnswer, type Transport, type CallResult, type ProxyMeta} from './answer.js';
export {createFetchTransport, type FetchTransportOptions} from './transport.js';
export type {ClientOptions, Identity, SecToken, OssCredentialParams, CallOptions, TopsecClient} from './types.js';
