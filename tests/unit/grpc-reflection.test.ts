import { describe, expect, it } from 'vitest';
import * as protoLoader from '@grpc/proto-loader';
import descriptor from 'protobufjs/ext/descriptor/index.js';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { mapEntryName, repairFileDescriptor } from '../../src/grpc/reflection.js';

describe('reflection descriptors', () => {
  it("names map entries as protoc does", () => {
    expect(mapEntryName('statuses')).toBe('StatusesEntry');
    expect(mapEntryName('status_counts')).toBe('StatusCountsEntry');
  });

  it('repairs the map entry protobufjs misnames in grpc.health.v1', () => {
    const def = protoLoader.loadSync(healthProtoPath);
    const bin = (def['grpc.health.v1.HealthListResponse'] as { fileDescriptorProtos: Buffer[] }).fileDescriptorProtos[0]!;
    type Msg = { name: string; field: { name: string; typeName?: string }[]; nestedType?: Msg[] };
    const find = (b: Uint8Array) => ((descriptor.FileDescriptorProto.decode(b) as unknown as { messageType: Msg[] }).messageType.find((m) => m.name === 'HealthListResponse'))!;
    expect(find(bin).nestedType![0]!.name).not.toBe('StatusesEntry'); // the bug this works around
    const fixed = find(repairFileDescriptor(bin));
    expect(fixed.nestedType![0]!.name).toBe('StatusesEntry');
    expect(fixed.field.find((f) => f.name === 'statuses')!.typeName).toMatch(/(^|\.)StatusesEntry$/);
  });
});
