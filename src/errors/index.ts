export {TopsecError, isTopsecError} from './topsec-error.js';
export {TopError, isTopError, type TopErrorFields} from './top-error.js';
export {ProxyError, isProxyError} from './proxy-error.js';
export {OssError, isOssError} from './oss-error.js';
