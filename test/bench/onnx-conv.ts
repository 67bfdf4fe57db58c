// Builds, in memory, an ONNX model of one 3x3 convolution (C -> C channels, pad 1): the "ideal" workload
// that the model's achieved GFLOP/s is compared with. Hand-encoded protobuf, to need no ONNX tooling.

function varint(n: number | bigint): number[] {
  let v = BigInt(n);
  const out: number[] = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) b |= 0x80;
    out.push(b);
  } while (v > 0n);
  return out;
}
const key = (field: number, wire: number) => varint((field << 3) | wire);
const bytesField = (field: number, data: Uint8Array | number[]) => [...key(field, 2), ...varint(data.length), ...data];
const strField = (field: number, s: string) => bytesField(field, [...new TextEncoder().encode(s)]);
const intField = (field: number, n: number) => [...key(field, 0), ...varint(n)];

function valueInfo(name: string, dims: (number | string)[]): number[] {
  const shape = dims.flatMap((d) => bytesField(1, typeof d === 'number' ? intField(1, d) : strField(2, d)));
  const tensorType = [...intField(1, 1), ...bytesField(2, shape)];
  return [...strField(1, name), ...bytesField(2, bytesField(1, tensorType))];
}

export function conv3x3Model(channels: number): Uint8Array {
  const weights = new Float32Array(channels * channels * 9);
  let seed = 7;
  for (let i = 0; i < weights.length; i++) weights[i] = ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 0.1;
  const tensor = [
    ...(channels.toString().split('').length ? [] : []),
    ...intField(1, channels),
    ...intField(1, channels),
    ...intField(1, 3),
    ...intField(1, 3),
    ...intField(2, 1),
    ...strField(8, 'W'),
    ...bytesField(9, new Uint8Array(weights.buffer)),
  ];
  const attr = (name: string, ints: number[]) =>
    bytesField(5, [...strField(1, name), ...intField(20, 7), ...ints.flatMap((i) => intField(8, i))]);
  const node = [
    ...strField(1, 'X'),
    ...strField(1, 'W'),
    ...strField(2, 'Y'),
    ...strField(3, 'conv'),
    ...strField(4, 'Conv'),
    ...attr('kernel_shape', [3, 3]),
    ...attr('pads', [1, 1, 1, 1]),
  ];
  const graph = [
    ...bytesField(1, node),
    ...strField(2, 'conv3x3'),
    ...bytesField(5, tensor),
    ...bytesField(11, valueInfo('X', [1, channels, 'h', 'w'])),
    ...bytesField(12, valueInfo('Y', [1, channels, 'h', 'w'])),
  ];
  const model = [
    ...intField(1, 8),
    ...bytesField(8, [...strField(1, ''), ...intField(2, 17)]),
    ...bytesField(7, graph),
  ];
  return new Uint8Array(model);
}
