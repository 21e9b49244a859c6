/**
 * A step's expectations (`expect`, `expect_out`) read and compared with what the model returned. Output values
 * compare exactly: u64, u32 and ids as integers whatever their spelling, ranges element by element. An
 * `expect_out` field holds whatever the result ("an EMSGSIZE still writes num_iovas back", product.md), and a
 * field the call did not write back is a mismatch.
 */
import type { IommuIovaRange } from '../kernel/index.ts';
import { formatHex } from './numbers.ts';
import type { FieldReader, OpSpec, OutKind } from './ops.ts';
import type { IovaRange, ReplayMismatch, ReplayOut, Step } from './types.ts';

/** An expected output value, read: integers as bigint, ranges as bigint pairs, strings as written. */
export type ExpectedValue =
  | { kind: 'u64' | 'u32' | 'id'; value: bigint }
  | { kind: 'ranges'; value: IommuIovaRange[] }
  | { kind: 'string'; value: string };

/** Reads `expect_out` through `reader` (checking at load time, resolving labels at replay time). */
export function readExpectOut(spec: OpSpec, step: Step, reader: FieldReader): Map<string, ExpectedValue> {
  const out = new Map<string, ExpectedValue>();
  const written = (step as { expect_out?: Record<string, unknown> }).expect_out ?? {};
  for (const [field, v] of Object.entries(written)) {
    const kind: OutKind | undefined = spec.out[field];
    const name = `expect_out.${field}`;
    switch (kind) {
      case 'u64': out.set(field, { kind, value: reader.u64(name, v as string | number) }); break;
      case 'u32': out.set(field, { kind, value: BigInt(reader.u32(name, v as string | number)) }); break;
      case 'id': out.set(field, { kind, value: BigInt(reader.id(name, v as string | number)) }); break;
      case 'ranges': out.set(field, { kind, value: reader.ranges(name, v as IovaRange[]) }); break;
      case 'string': out.set(field, { kind, value: String(v) }); break;
      case undefined: throw new Error(`ops.ts has no output field ${field} for ${step.op} but the schema allows it`);
    }
  }
  return out;
}

/**
 * A value as replay output writes it: bigint as lower-case 0x hex, numbers as numbers, arrays and plain objects
 * element by element.
 */
export function renderValue(v: unknown): unknown {
  if (typeof v === 'bigint') return formatHex(v);
  if (Array.isArray(v)) return v.map(renderValue);
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, renderValue(x)]));
  }
  return v;
}

/** An expected value as replay output writes it: ids and u32 as numbers, u64 as 0x hex. */
export function renderExpected(e: ExpectedValue): unknown {
  if (e.kind === 'ranges') return renderValue(e.value);
  if (e.kind === 'string') return e.value;
  return e.kind === 'u64' ? formatHex(e.value) : Number(e.value);
}

/** Renders a whole out record. */
export function renderOut(out: Record<string, unknown>): ReplayOut {
  return renderValue(out) as ReplayOut;
}

function asBigInt(v: unknown): bigint | undefined {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  return undefined;
}

/** Whether the model's output value equals the expected one exactly. */
export function outEquals(expected: ExpectedValue, actual: unknown): boolean {
  if (expected.kind === 'string') return actual === expected.value;
  if (expected.kind !== 'ranges') return asBigInt(actual) === expected.value;
  if (!Array.isArray(actual) || actual.length !== expected.value.length) return false;
  return expected.value.every((r, i) => {
    const a = actual[i] as { start?: unknown; last?: unknown } | undefined;
    return a !== undefined && asBigInt(a.start) === r.start && asBigInt(a.last) === r.last;
  });
}

/** Every difference between a step's expectations and its outcome (empty when all are met). */
export function compareExpectations(
  expectResult: string | undefined,
  expectOut: ReadonlyMap<string, ExpectedValue>,
  result: string,
  out: Record<string, unknown>,
): ReplayMismatch[] {
  const mismatches: ReplayMismatch[] = [];
  if (expectResult !== undefined && expectResult !== result) {
    mismatches.push({ field: 'result', expected: expectResult, actual: result });
  }
  for (const [field, e] of expectOut) {
    const actual = Object.hasOwn(out, field) ? out[field] : undefined;
    if (!outEquals(e, actual)) {
      mismatches.push({ field, expected: renderExpected(e), actual: actual === undefined ? null : renderValue(actual) });
    }
  }
  return mismatches;
}
