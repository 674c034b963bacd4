// Server reflection over our proto and grpc.health.v1. protobufjs names a map field's entry message after
// the field (`Status_counts`, `Statuses`) where protoc names it `<CamelCaseField>Entry`; strict clients
// (Python's upb, grpcurl) then refuse the file ("map_entry should not be set explicitly"). The
// descriptors handed to the reflection service are repaired first.
import { ReflectionService } from '@grpc/reflection';
import * as protoLoader from '@grpc/proto-loader';
import descriptor, { type IDescriptorProto } from 'protobufjs/ext/descriptor/index.js';
import type { Server } from '@grpc/grpc-js';

/** protoc's entry name: `status_counts` -> `StatusCountsEntry`. */
export function mapEntryName(field: string): string {
  return field.replace(/(?:^|_)([a-z0-9])/g, (_m, c: string) => c.toUpperCase()).replace(/_/g, '') + 'Entry';
}

function repairMessage(msg: IDescriptorProto): void {
  for (const nested of msg.nestedType ?? []) {
    repairMessage(nested);
    if (!nested.options?.mapEntry || !nested.name) continue;
    const old = nested.name;
    const field = (msg.field ?? []).find((f) => f.typeName === old || f.typeName?.endsWith(`.${old}`));
    if (!field?.name) continue;
    nested.name = mapEntryName(field.name);
    field.typeName = field.typeName!.slice(0, field.typeName!.length - old.length) + nested.name;
  }
}

export function repairFileDescriptor(bin: Uint8Array): Buffer {
  const file = descriptor.FileDescriptorProto.decode(bin) as unknown as { messageType?: IDescriptorProto[] };
  for (const m of file.messageType ?? []) repairMessage(m);
  return Buffer.from(descriptor.FileDescriptorProto.encode(file as never).finish());
}

export function addReflection(server: Server, protoFiles: string[], options: protoLoader.Options): void {
  const def = protoLoader.loadSync(protoFiles, options);
  const repaired: protoLoader.PackageDefinition = {};
  for (const [name, entry] of Object.entries(def)) {
    const protos = (entry as { fileDescriptorProtos?: Buffer[] }).fileDescriptorProtos;
    repaired[name] = (Array.isArray(protos) ? { ...entry, fileDescriptorProtos: protos.map(repairFileDescriptor) } : entry) as protoLoader.AnyDefinition;
  }
  new ReflectionService(repaired).addToServer(server);
}
