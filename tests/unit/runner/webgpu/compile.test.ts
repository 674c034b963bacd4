// Compile check of every WGSL kernel variant on Dawn's null backend: it validates shaders and pipelines
// without running them and needs no Vulkan driver, so a WGSL error shows up here with its message.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireDevice, type AcquiredDevice } from '../../../../src/runner/webgpu/device.js';
import * as K from '../../../../src/runner/webgpu/kernels.js';

let dev: AcquiredDevice;
beforeAll(async () => {
  dev = await acquireDevice({ backend: 'null' });
}, 30_000);
afterAll(() => dev?.device.destroy());

const sources: [string, string][] = [
  ['rmsnorm', K.rmsnormSource()],
  ['add', K.binarySource('add')],
  ['mul', K.binarySource('mul')],
  ['siluMul', K.binarySource('siluMul')],
  ['scale', K.scaleSource()],
  ['softmax', K.softmaxSource()],
  ['embedding', K.embeddingSource()],
  ['embedding f16 table', K.embeddingSource(true)],
  ['f16ToF32', K.f16ToF32Source()],
  ['sliceCols', K.sliceColsSource()],
  ['concatCols', K.concatColsSource()],
  ['repeatCols', K.repeatColsSource()],
  ['gatherRows', K.gatherRowsSource()],
  ['scatterAdd', K.scatterAddSource()],
  ['writeRows', K.writeRowsSource()],
  ['rope', K.ropeSource()],
  ['attnScores', K.attnScoresSource()],
  ['attnScores vec4', K.attnScoresSource(true)],
  ['attnSoftmax', K.attnSoftmaxSource()],
  ['attnValues', K.attnValuesSource()],
  ['attnValues vec4', K.attnValuesSource(true)],
  ['latentRows', K.latentRowsSource()],
  ['moeRoute', K.moeRouteSource()],
  ['moeLists', K.moeListsSource()],
  ['moeCombine', K.moeCombineSource()],
];
for (const tm of [1, 2, 3, 4]) for (const tn of [1, 2, 4, 8]) for (const vw of [1, 4] as const) sources.push([`matmul tm=${tm} tn=${tn} vw=${vw}`, K.matmulSource(tm, tn, vw)]);
for (const tn of [1, 2, 4, 8]) sources.push([`matmul packed f16 weights tn=${tn}`, K.matmulSource(4, tn, 4, true)]);
for (const f16 of [false, true]) for (const tn of [1, 2, 4]) sources.push([`dual matmul f16=${f16} tn=${tn}`, K.matmulSource(4, tn, 4, f16, true)]);
sources.push(['dual matmul scalar', K.matmulSource(3, 4, 1, false, true)]);
for (const f16 of [false, true]) for (const dual of [false, true]) for (const tm of [1, 4]) sources.push([`routed matmul f16=${f16} dual=${dual} tm=${tm}`, K.matmulSource(tm, dual ? 4 : 8, 4, f16, dual, true)]);
for (const f16 of [false, true]) for (const tm of [1, 4]) sources.push([`residual matmul f16=${f16} tm=${tm}`, K.matmulSource(tm, 8, 4, f16, false, false, true)]);
sources.push(['residual matmul scalar', K.matmulSource(3, 2, 1, false, false, false, true)]);
sources.push(['routed matmul scalar', K.matmulSource(3, 8, 1, false, false, true)]);

describe('WGSL kernels compile on the null backend', () => {
  it('uses the null adapter', () => {
    expect(dev.description).toMatch(/null/);
  });

  it.each(sources)('%s', async (name, code) => {
    const { device } = dev;
    device.pushErrorScope('validation');
    const module = device.createShaderModule({ code, label: name });
    const info = await module.getCompilationInfo();
    device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
    const err = await device.popErrorScope();
    const errors = info.messages.filter((m) => m.type === 'error').map((m) => `${m.lineNum}:${m.linePos} ${m.message}`);
    expect(errors).toEqual([]);
    expect(err?.message ?? null).toBeNull();
  });

  it('reports a broken kernel (the check can fail)', async () => {
    const { device } = dev;
    device.pushErrorScope('validation');
    const module = device.createShaderModule({ code: K.scaleSource().replace('x[i] * p.s', 'x[i] * q.s') });
    const info = await module.getCompilationInfo();
    device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
    const err = await device.popErrorScope();
    expect(info.messages.some((m) => m.type === 'error')).toBe(true);
    expect(err).not.toBeNull();
  });
});
