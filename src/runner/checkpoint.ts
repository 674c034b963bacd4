// A Hugging Face checkpoint directory: config.json plus model.safetensors or shards listed in
// model.safetensors.index.json. Tensors come out as f32; FP8 weights are dequantized with their
// `weight_scale_inv` block scales (W = W_fp8 · scale_inv[r / bh, c / bw]).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseModelConfig, type ModelConfig } from './config.js';
import { SafetensorsFile, SafetensorsError } from './safetensors.js';

export class Checkpoint {
  readonly config: ModelConfig;
  readonly rawConfig: Record<string, unknown>;
  private files = new Map<string, SafetensorsFile>();
  private where = new Map<string, string>();
  private block: [number, number];

  constructor(readonly dir: string) {
    const cfgPath = join(dir, 'config.json');
    if (!existsSync(cfgPath)) throw new SafetensorsError(`${dir}: no config.json`);
    try {
      this.rawConfig = JSON.parse(readFileSync(cfgPath, 'utf8')) as Record<string, unknown>;
    } catch (e) {
      throw new SafetensorsError(`${cfgPath}: not JSON: ${(e as Error).message}`);
    }
    this.config = parseModelConfig(this.rawConfig);
    const q = this.rawConfig.quantization_config as { weight_block_size?: number[] } | undefined;
    this.block = [q?.weight_block_size?.[0] ?? 128, q?.weight_block_size?.[1] ?? 128];
    const index = join(dir, 'model.safetensors.index.json');
    if (existsSync(index)) {
      const map = (JSON.parse(readFileSync(index, 'utf8')) as { weight_map?: Record<string, string> }).weight_map;
      if (!map || typeof map !== 'object') throw new SafetensorsError(`${index}: no weight_map`);
      for (const [name, file] of Object.entries(map)) this.where.set(name, file);
    } else if (existsSync(join(dir, 'model.safetensors'))) {
      this.indexFile('model.safetensors');
    } else {
      const shards = readdirSync(dir).filter((f) => f.endsWith('.safetensors')).sort();
      if (shards.length === 0) throw new SafetensorsError(`${dir}: no model.safetensors, no model.safetensors.index.json and no *.safetensors`);
      for (const s of shards) this.indexFile(s);
    }
  }

  private indexFile(file: string): void {
    for (const name of this.open(file).tensors.keys()) this.where.set(name, file);
  }

  private open(file: string): SafetensorsFile {
    let f = this.files.get(file);
    if (!f) {
      f = new SafetensorsFile(join(this.dir, file));
      this.files.set(file, f);
    }
    return f;
  }

  has(name: string): boolean {
    return this.where.has(name);
  }

  names(): string[] {
    return [...this.where.keys()];
  }

  shape(name: string): number[] {
    return this.fileOf(name).info(name).shape;
  }

  private fileOf(name: string): SafetensorsFile {
    const file = this.where.get(name);
    if (!file) throw new SafetensorsError(`${this.dir}: checkpoint has no tensor ${name}`);
    return this.open(file);
  }

  /** The tensor as f32, checked against the expected shape when given. */
  get(name: string, expect?: readonly number[]): Float32Array {
    const f = this.fileOf(name);
    const info = f.info(name);
    if (expect && (info.shape.length !== expect.length || info.shape.some((d, i) => d !== expect[i])))
      throw new SafetensorsError(`${this.dir}: ${name} has shape [${info.shape.join(', ')}], expected [${expect.join(', ')}]`);
    const data = f.f32(name);
    const scaleName = name.endsWith('.weight') ? `${name}_scale_inv` : undefined;
    if (info.dtype.startsWith('F8_') && scaleName && this.has(scaleName)) {
      if (info.shape.length !== 2) throw new SafetensorsError(`${name}: block-scaled FP8 weight must be 2-D`);
      const [rows, cols] = info.shape as [number, number];
      const [bh, bw] = this.block;
      const sb = Math.ceil(cols / bw);
      const scale = this.get(scaleName, [Math.ceil(rows / bh), sb]);
      for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) data[r * cols + c]! *= scale[Math.floor(r / bh) * sb + Math.floor(c / bw)]!;
    }
    return data;
  }

  close(): void {
    for (const f of this.files.values()) f.close();
    this.files.clear();
  }
}
