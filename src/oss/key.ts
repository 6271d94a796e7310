/**
Object keys: a safe file name, the default key layout, and the check that a key stays inside the credentials' dir.
@module
*/
import {utf8} from './encode.js';

/**
A file name that is safe in an object key and a URL: path parts, control and format characters dropped, whitespace
and anything but Unicode letters, marks, digits, `.`, `-`, `_` turned into single `-`, no leading or trailing `.`/`-`,
at most 120 characters (the extension kept), never empty (`'file'`).
@example
```
safeFileName('C:\\Users\\me\\My Photo (1).JPG') // 'My-Photo-1.JPG'
safeFileName('../../etc/passwd') // 'passwd'
safeFileName('报告 2024.pdf') // '报告-2024.pdf'
```
*/
export function safeFileName(name: string): string {
	const trim = (text: string) => text.replace(/-*\.-*/g, '.').replace(/^[.-]+|[.-]+$/g, '');
	let safe = trim(
		String(name ?? '')
			.normalize('NFC')
			.split(/[/\\]/)
			.pop()!
			.replace(/\s/g, '-')
			.replace(/[\p{Cc}\p{Cf}]/gu, '')
			.replace(/[^\p{L}\p{M}\p{N}._]+/gu, '-'),
	);
	// Stem cut to 120 code points minus the extension (a no-op for most names; never inside a surrogate pair).
	const [, stem, extension = ''] = /^(.*?)(\.[\p{L}\p{N}]{1,16})?$/u.exec(safe)!;
	safe = trim([...stem!].slice(0, 120 - extension.length).join('')) + extension;
	return safe || 'file';
}

/**
Eight to twelve random base36 characters from `crypto.getRandomValues`.
@default length 10
@example
```
randomId() // 'k3x9q0m2za'
```
*/
export const randomId = (length = 10): string => Array.from(crypto.getRandomValues(new Uint8Array(length)), (byte) => (byte % 36).toString(36)).join('');

/**
The default object key `<dir><yyyy-mm-dd>/<random>-<safe file name>` (UTC day; a `/` is added after a non-empty dir
that lacks one). `random` defaults to 10 random base36 characters.
@example
```
defaultObjectKey('uploads/m1/', 'My Photo.png', Date.UTC(2024, 0, 2), 'abc123xyz0')
// 'uploads/m1/2024-01-02/abc123xyz0-My-Photo.png'
```
*/
export function defaultObjectKey(dir: string, fileName: string, now: number, random: string = randomId()): string {
	const prefix = dir && !dir.endsWith('/') ? dir + '/' : dir;
	return `${prefix}${new Date(now).toISOString().slice(0, 10)}/${random}-${safeFileName(fileName)}`;
}

/**
Throw a `TypeError` naming `field` unless `key` starts with `dir` and is a key OSS and URLs keep as written: not empty,
no leading `/`, no empty, `.` or `..` segments (URL parsers collapse them, breaking the signature), no control
characters, at most 1023 bytes of UTF-8. With `field` `'keyPrefix'` a trailing `/` (or an empty prefix) is allowed.
@default field 'key'
@example
```
assertKeyInDir('uploads/m1/a.png', 'uploads/m1/') // ok
assertKeyInDir('uploads/m2/a.png', 'uploads/m1/') // TypeError: `key` must start with the credentials' dir "uploads/m1/"
```
*/
export function assertKeyInDir(key: string, dir: string, field: 'key' | 'keyPrefix' = 'key'): void {
	// A prefix may end with "/" (or be empty): check it as if a file name followed.
	const path = field === 'key' ? key : key + 'x';
	const why =
		typeof key !== 'string' || !key.startsWith(dir ?? '')
			? `must start with the credentials' dir "${dir}"`
			: !path
				? 'must not be empty'
				: key[0] === '/'
					? 'must not start with "/"'
					: /(^|\/)(\/|$)/.test(path)
						? 'must not have empty segments'
						: /(^|\/)\.\.?(\/|$)/.test(path)
							? 'must not have "." or ".." segments'
							: // eslint-disable-next-line no-control-regex
								/[\u0000-\u001f\u007f]/.test(key)
								? 'must not have control characters'
								: utf8(key).length > 1023
									? 'must be at most 1023 bytes'
									: '';
	if (why) throw new TypeError(`\`${field}\` ${why}`);
}
