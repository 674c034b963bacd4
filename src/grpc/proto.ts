// Loads reward.proto once. keepCase keeps the JSON contract's snake_case names; defaults: false leaves
// unset optional fields absent, so "no reward" stays distinguishable from 0.
import { fileURLToPath } from 'node:url';
import * as protoLoader from '@grpc/proto-loader';
import type { ServiceDefinition } from '@grpc/grpc-js';

/** src/grpc/ and dist/grpc/ both sit two levels below the package root, next to proto/. */
export const PROTO_PATH = fileURLToPath(new URL('../../proto/r1reward/v1/reward.proto', import.meta.url));
export const SERVICE_NAME = 'r1reward.v1.RewardService';

export const LOADER_OPTIONS: protoLoader.Options = { keepCase: true, longs: Number, enums: String, defaults: false, oneofs: true };

let cached: protoLoader.PackageDefinition | undefined;

export function rewardPackage(): protoLoader.PackageDefinition {
  return (cached ??= protoLoader.loadSync(PROTO_PATH, LOADER_OPTIONS));
}

export function rewardService(): ServiceDefinition {
  return rewardPackage()[SERVICE_NAME] as ServiceDefinition;
}
