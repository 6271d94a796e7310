/**
The `<script>` build: client and OSS upload as the global `TopSec`, dependencies inlined
(`dist/topsec.iife.min.js`).
@module
*/
export * from './index.js';
export {upload, signOssRequest, createPostPolicy, objectUrl, defaultObjectKey} from './oss/index.js';
export type {UploadOptions, UploadResult, UploadProgress, PostPolicyOptions, PostPolicy} from './oss/index.js';
