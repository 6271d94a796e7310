/**
The OSS half of `topsec/emulator`: a local Aliyun OSS that checks V4 and V1 signatures, STS credentials, PostObject
policies and multipart rules as strictly as the real service, with fault injection and a request log.
@module
*/
export {createOssEmulator} from './handler.js';
export type {OssEmulator, OssEmulatorOptions, OssLogEntry, OssObjectSnapshot} from './handler.js';
export type {OssFault, OssFaultAction, OssFaultKind} from './faults.js';
export {listenOssEmulator} from './server.js';
export type {ListenOssOptions, ListeningOssEmulator} from './server.js';
export {crc64} from './crc64.js';
