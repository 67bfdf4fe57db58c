// The metadata_props of an ONNX file (ModelProto field 14: repeated StringStringEntryProto {1 key, 2 value}),
// read by walking the protobuf's top-level fields: onnxruntime-node exposes no model metadata, and the worker
// needs one entry (`remaster.kind`, see models/README.md) to know that a model's result is its baseline.

/** Key -> value of the model's metadata; {} for bytes that are not a well-formed ModelProto. */
export function onnxMetadata(bytes: Uint8Array): Record<string, string> {
  const out: Record<string, string> = {};
  try {
    for (const f of fields(bytes, 0, bytes.length)) {
      if (f.field !== 14 || f.wire !== 2) continue;
      let key = '';
      let value = '';
      for (const e of fields(bytes, f.start, f.end)) {
        if (e.wire !== 2) continue;
        if (e.field === 1) key = text(bytes, e.start, e.end);
        else if (e.field === 2) value = text(bytes, e.start, e.end);
      }
      if (key) out[key] = value;
    }
  } catch {
    return {};
  }
  return out;
}

interface Field {
  field: number;
  wire: number;
  /** Payload of a length-delimited field (wire type 2). */
  start: number;
  end: number;
}

const decoder = new TextDecoder();
const text = (b: Uint8Array, start: number, end: number): string => decoder.decode(b.subarray(start, end));

function* fields(b: Uint8Array, from: number, to: number): Generator<Field> {
  let p = from;
  const varint = (): number => {
    let v = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (p >= to) throw new RangeError('truncated varint');
      const c = b[p++];
      v += (c & 0x7f) * mul;
      if (c < 0x80) return v;
      mul *= 128;
    }
    throw new RangeError('varint too long');
  };
  while (p < to) {
    const tag = varint();
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    if (wire === 0) varint();
    else if (wire === 1) p += 8;
    else if (wire === 5) p += 4;
    else if (wire === 2) {
      const len = varint();
      const start = p;
      p += len;
      if (p > to) throw new RangeError('field runs past its message');
      yield { field, wire, start, end: p };
      continue;
    } else throw new RangeError(`wire type ${wire}`);
    if (p > to) throw new RangeError('field runs past its message');
  }
}
