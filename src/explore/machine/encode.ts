/**
 * The canonical encoding of a machine state: the active atomic state nodes (document-order indexes; the rest of the
 * configuration is their ancestors), then each history node's recorded nodes, then the context through the generic
 * canonical encoder. Two states encode alike exactly when their value, history values and context are the same (the
 * `done` status is a function of the configuration, so it needs no bytes).
 *
 *   u32 n, n × u32 atomic index          configuration
 *   per history slot: u32 0 (nothing recorded) | u32 k+1, k × u32 node index
 *   context, through the machine's ContextCodec (canonical.ts's encoding, specialised to the context's shape)
 */
import { ByteBuffer } from '../bytes.ts';
import type { ByteSink, ByteSource } from '../model.ts';
import type { ContextCodec } from './contextCodec.ts';
import type { ConfigurationTable, HistoryTable } from './configuration.ts';
import { MachineState } from './state.ts';
import type { NodeRec } from './types.ts';

/** Writes `s`'s canonical encoding. */
export function encodeMachineState(s: MachineState, sink: ByteSink, codec: ContextCodec): void {
  // The search's sink: the configuration's bytes were written once, when it was interned.
  if (sink instanceof ByteBuffer) sink.bytes(s.config.encoded);
  else writeAtomics(s.config.atomics, sink);
  const slots = s.history.slots;
  for (let i = 0; i < slots.length; i++) {
    const v = slots[i];
    if (v === undefined) sink.u32(0);
    else {
      sink.u32(v.length + 1);
      for (let j = 0; j < v.length; j++) sink.u32(v[j]!.index);
    }
  }
  codec.encode(s.context, sink);
}

/** Writes the configuration part of the encoding: the count of atomic nodes, then their indexes. */
export function writeAtomics(atomics: readonly NodeRec[], sink: ByteSink): void {
  sink.u32(atomics.length);
  for (let i = 0; i < atomics.length; i++) sink.u32(atomics[i]!.index);
}

/** The atomic node indexes of the state being decoded (reused: decoding allocates no list). */
let scratch = new Int32Array(16);

/** Reads a state written by encodeMachineState (for the same machine). */
export function decodeMachineState(
  src: ByteSource,
  nodes: readonly NodeRec[],
  configs: ConfigurationTable,
  histories: HistoryTable,
  codec: ContextCodec,
): MachineState {
  const n = src.u32();
  if (n > scratch.length) scratch = new Int32Array(Math.max(n, scratch.length * 2));
  for (let i = 0; i < n; i++) scratch[i] = src.u32();
  const config = configs.fromAtomics(scratch, n);
  let history = histories.empty;
  const slotCount = histories.historyNodes.length;
  if (slotCount) {
    const slots = new Array<NodeRec[] | undefined>(slotCount);
    for (let i = 0; i < slotCount; i++) {
      const k = src.u32();
      if (k === 0) continue;
      const list: NodeRec[] = [];
      for (let j = 1; j < k; j++) {
        const node = nodes[src.u32()];
        if (!node) throw new RangeError('decodeMachineState: history node index out of range');
        list.push(node);
      }
      slots[i] = list;
    }
    history = histories.intern(slots);
  }
  const context = codec.decode(src);
  return new MachineState(config, history, context, config.rootFinal);
}
