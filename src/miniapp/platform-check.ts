/**
Compile-time proof that the real platform objects fit the adapters: `tsc` fails on this file when `my` (from
`@mini-types/alipay`) or `wx` (from `miniprogram-api-typings`) stops matching {@link MiniappApi}. Type-only; nothing
imports it, and apps need neither typings package.
@module
*/
/// <reference types="@mini-types/alipay" />
/// <reference types="miniprogram-api-typings" />
import type {MiniappApi} from './types.js';

type Fits<T, U> = [T] extends [U] ? true : false;
type Expect<T extends true> = T;

/** Both `true`; a `false` is a type error ("Type 'false' does not satisfy the constraint 'true'"). */
export type PlatformsFit = [Expect<Fits<typeof my, MiniappApi>>, Expect<Fits<typeof wx, MiniappApi>>];
