/**
`topsec/proxy`: the signing proxy that holds the TOP app secret. `createProxy` is a Web-standard fetch handler
(Node, Deno, Cloudflare Workers); `createNodeHandler`/`serveProxy` adapt it to node:http and Express.
@module
*/
export {createProxy, type ProxyHandler} from './create-proxy.js';
export {DEFAULT_GATEWAY, type ProxyOptions, type AuthorizeContext, type SessionContext, type ProxyLogEntry} from './options.js';
export {type GrantClaims} from './grant.js';
export {createMemoryRateLimitStore, type MemoryRateLimitStoreOptions, type ProxyRequestInfo, type RateLimitCount, type RateLimitRule, type RateLimitsOptions, type RateLimitStore} from './rate-limit.js';
export {createRedisRateLimitStore, type RedisEvalClient, type RedisRateLimitStoreOptions} from './redis-store.js';
export {createNodeHandler, serveProxy, type FetchHandler, type NodeHandler, type NodeHandlerOptions, type ServeProxyOptions, type ServedProxy} from './node.js';
export {proxyOptionsFromEnv, type ProxyEnv} from './env.js';
