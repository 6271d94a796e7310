export {signTopParams, canonicalString, sendableParams, isSignMethod, SIGN_METHODS, type SignMethod, type TopParams} from './sign.js';
export {formatTopTime, parseTopTime, topTimeToEpoch} from './time.js';
export {responseKey, readTopAnswer, topErrorFrom, topErrorAction, type TopErrorAction} from './response.js';
export {SEED_APIS, SEC_TOKEN_METHOD, OSS_TOKEN_METHOD, checkParams, type ApiSpec, type ParamSpec, type ParamProblem} from './apis.js';
export {md5, hmacMd5, hmacSha256, toHexUpper, utf8} from './digest.js';
