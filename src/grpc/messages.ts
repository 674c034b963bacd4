// The proto messages as grpc-js hands them over / takes them (see LOADER_OPTIONS in proto.ts).

export interface RolloutMsg {
  id?: string;
  group?: string;
  prompt?: string;
  completion?: string;
  task_json?: string;
  language?: string;
  completion_tokens?: number;
}

export interface RewardsMsg {
  accuracy?: number;
  format?: number;
  language?: number;
  length?: number;
}

export interface ScoredRolloutMsg {
  index: number;
  id?: string;
  group: string;
  reward?: number;
  rewards: RewardsMsg;
  advantage: number;
  status: string;
  error?: string;
  details_json: string;
}

export interface GroupStatsMsg {
  group: string;
  size: number;
  scored: number;
  mean?: number | null; // null is sent as absent (protobufjs skips null)
  std?: number | null;
  zero_variance: boolean;
}

export interface ScoreRequestMsg {
  rollouts?: RolloutMsg[];
  config_json?: string;
}

export interface AdvantagesRequestMsg {
  rewards?: number[];
  groups?: string[];
  config_json?: string;
}

export interface StreamRequestMsg {
  kind?: 'config' | 'rollout' | 'group_end';
  config?: { config_json?: string };
  rollout?: { rollout?: RolloutMsg; group_size?: number };
  group_end?: { group?: string };
}

export interface GroupResultMsg {
  group: string;
  indices: number[];
  ids: string[];
  advantages: number[];
  stats: GroupStatsMsg;
}

export type StreamResponseMsg = { scored: ScoredRolloutMsg } | { group: GroupResultMsg };
