/**
topsec/oss — direct browser upload to Aliyun OSS with STS credentials: `upload` (PUT or resumable multipart),
`signOssRequest` (signature V4 over Web Crypto) and `createPostPolicy` (PostObject forms, mini-app uploadFile).
@module
*/
export {upload, type UploadOptions, type UploadResult, type UploadProgress} from './upload.js';
export type {UploadClient} from './request.js';
export {signOssRequest, type OssSignInput, type OssSigningCredentials} from './sign.js';
export {signOssRequestV1, type OssSignInputV1} from './sign-v1.js';
export {createPostPolicy, type PostPolicyOptions, type PostPolicy} from './post-policy.js';
export {ossOrigin, objectUrl, regionFromEndpoint} from './endpoint.js';
export {defaultObjectKey, safeFileName} from './key.js';
export {crc64, crc64Combine, crc64ToString} from './crc64.js';
export {OssError, isOssError} from '../errors/oss-error.js';
export type {OssCredentials} from './types.js';
