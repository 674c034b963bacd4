"""gRPC client of r1reward.v1.RewardService that needs no generated code: it asks the server for the
proto over standard server reflection (grpc.reflection.v1) and builds the message classes from it.

    pip install "r1reward[grpc]"    # or Debian: apt install python3-grpcio
    from r1reward.grpc_client import GrpcClient
    c = GrpcClient("r1-reward:50051")
    c.score([{"completion": "...", "task": {"type": "math", "answer": "42"}}])

Messages are plain dicts with the proto's field names; task and config are dicts (sent as task_json /
config_json); an unscored reward is None (absent in the proto).
"""
import json
from typing import Any, Dict, Iterable, Iterator, List, Optional

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool, json_format, message_factory

SERVICE = "r1reward.v1.RewardService"
HEALTH = "grpc.health.v1.Health"
_REFLECTION = "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo"


def _message_class(pool: descriptor_pool.DescriptorPool, name: str):
    desc = pool.FindMessageTypeByName(name)
    get = getattr(message_factory, "GetMessageClass", None)  # protobuf >= 4.22
    return get(desc) if get else message_factory.MessageFactory(pool).GetPrototype(desc)


def _reflection_messages():
    """The two reflection messages, with only the fields this client uses (wire-compatible subsets)."""
    T = descriptor_pb2.FieldDescriptorProto
    f = descriptor_pb2.FileDescriptorProto(name="r1reward_reflection_subset.proto", package="grpc.reflection.v1", syntax="proto3")
    req = f.message_type.add(name="ServerReflectionRequest")
    req.field.add(name="host", number=1, type=T.TYPE_STRING, label=T.LABEL_OPTIONAL)
    req.field.add(name="file_containing_symbol", number=4, type=T.TYPE_STRING, label=T.LABEL_OPTIONAL)
    fdr = f.message_type.add(name="FileDescriptorResponse")
    fdr.field.add(name="file_descriptor_proto", number=1, type=T.TYPE_BYTES, label=T.LABEL_REPEATED)
    err = f.message_type.add(name="ErrorResponse")
    err.field.add(name="error_code", number=1, type=T.TYPE_INT32, label=T.LABEL_OPTIONAL)
    err.field.add(name="error_message", number=2, type=T.TYPE_STRING, label=T.LABEL_OPTIONAL)
    res = f.message_type.add(name="ServerReflectionResponse")
    res.field.add(name="file_descriptor_response", number=4, type=T.TYPE_MESSAGE, label=T.LABEL_OPTIONAL,
                  type_name=".grpc.reflection.v1.FileDescriptorResponse")
    res.field.add(name="error_response", number=7, type=T.TYPE_MESSAGE, label=T.LABEL_OPTIONAL,
                  type_name=".grpc.reflection.v1.ErrorResponse")
    pool = descriptor_pool.DescriptorPool()
    pool.AddSerializedFile(f.SerializeToString())
    return (_message_class(pool, "grpc.reflection.v1.ServerReflectionRequest"),
            _message_class(pool, "grpc.reflection.v1.ServerReflectionResponse"))


def load_descriptors(channel: grpc.Channel, symbols: Iterable[str], timeout: float = 10.0) -> descriptor_pool.DescriptorPool:
    """A descriptor pool holding the files that define `symbols`, fetched by server reflection."""
    Req, Res = _reflection_messages()
    call = channel.stream_stream(_REFLECTION, request_serializer=Req.SerializeToString, response_deserializer=Res.FromString)
    files: Dict[str, bytes] = {}
    for res in call(iter([Req(file_containing_symbol=s) for s in symbols]), timeout=timeout):
        if res.HasField("error_response"):
            raise LookupError(f"reflection: {res.error_response.error_message}")
        for raw in res.file_descriptor_response.file_descriptor_proto:
            fd = descriptor_pb2.FileDescriptorProto.FromString(raw)
            files[fd.name] = raw
    pool = descriptor_pool.DescriptorPool()
    pending = dict(files)
    while pending:  # add each file after the files it imports
        progressed = False
        for name, raw in list(pending.items()):
            deps = descriptor_pb2.FileDescriptorProto.FromString(raw).dependency
            if all(d not in pending for d in deps):
                pool.AddSerializedFile(raw)
                del pending[name]
                progressed = True
        if not progressed:
            raise LookupError(f"reflection: unresolved imports among {sorted(pending)}")
    return pool


def _to_dict(msg) -> Dict[str, Any]:
    """The message as a dict with proto field names, zeros included; unset optional fields stay absent."""
    try:
        return json_format.MessageToDict(msg, preserving_proto_field_name=True, always_print_fields_with_no_presence=True)
    except TypeError:  # protobuf < 5.26
        return json_format.MessageToDict(msg, preserving_proto_field_name=True, including_default_value_fields=True)


def _rollout_msg(r: Dict[str, Any]) -> Dict[str, Any]:
    out = {k: v for k, v in r.items() if k in ("id", "group", "prompt", "completion", "language", "completion_tokens")}
    if r.get("task") is not None:
        out["task_json"] = json.dumps(r["task"])
    return out


class GrpcClient:
    def __init__(self, target: str, timeout: Optional[float] = 180.0, channel: Optional[grpc.Channel] = None):
        self.channel = channel or grpc.insecure_channel(target)
        self.timeout = timeout
        self.pool = load_descriptors(self.channel, [SERVICE, HEALTH])
        self._types: Dict[str, Any] = {}

    def _type(self, name: str):
        if name not in self._types:
            self._types[name] = _message_class(self.pool, name)
        return self._types[name]

    def _unary(self, method: str, req: str, res: str, body: Dict[str, Any], timeout: Optional[float]) -> Dict[str, Any]:
        Req, Res = self._type(req), self._type(res)
        call = self.channel.unary_unary(method, request_serializer=Req.SerializeToString, response_deserializer=Res.FromString)
        out = call(json_format.ParseDict(body, Req()), timeout=timeout if timeout is not None else self.timeout)
        return _to_dict(out)

    def score(self, rollouts: Iterable[Dict[str, Any]], config: Optional[dict] = None, timeout: Optional[float] = None) -> Dict[str, Any]:
        body: Dict[str, Any] = {"rollouts": [_rollout_msg(r) for r in rollouts]}
        if config is not None:
            body["config_json"] = json.dumps(config)
        return self._unary(f"/{SERVICE}/Score", "r1reward.v1.ScoreRequest", "r1reward.v1.ScoreResponse", body, timeout)

    def advantages(self, rewards: List[Optional[float]], groups: List[str], config: Optional[dict] = None) -> Dict[str, Any]:
        body: Dict[str, Any] = {"rewards": ["NaN" if r is None else r for r in rewards], "groups": groups}  # NaN = unscored
        if config is not None:
            body["config_json"] = json.dumps(config)
        return self._unary(f"/{SERVICE}/ComputeAdvantages", "r1reward.v1.AdvantagesRequest", "r1reward.v1.AdvantagesResponse", body, None)

    def stream(self, messages: Iterable[Dict[str, Any]], timeout: Optional[float] = None) -> Iterator[Dict[str, Any]]:
        """ScoreStream. messages: {"config": {...}} first (optional), then {"rollout": {...}, "group_size": n}
        or {"group_end": "group"}. Yields {"scored": {...}} and {"group": {...}} as the server sends them."""
        Req, Res = self._type("r1reward.v1.StreamRequest"), self._type("r1reward.v1.StreamResponse")

        def requests():
            for m in messages:
                if "config" in m:
                    body: Dict[str, Any] = {"config": {"config_json": json.dumps(m["config"])}}
                elif "rollout" in m:
                    body = {"rollout": {"rollout": _rollout_msg(m["rollout"]), "group_size": m.get("group_size", 0)}}
                else:
                    body = {"group_end": {"group": m["group_end"]}}
                yield json_format.ParseDict(body, Req())

        call = self.channel.stream_stream(f"/{SERVICE}/ScoreStream", request_serializer=Req.SerializeToString, response_deserializer=Res.FromString)
        for res in call(requests(), timeout=timeout if timeout is not None else self.timeout):
            yield _to_dict(res)

    def health(self, service: str = "") -> str:
        res = self._unary(f"/{HEALTH}/Check", "grpc.health.v1.HealthCheckRequest", "grpc.health.v1.HealthCheckResponse", {"service": service}, 10.0)
        return res.get("status", "UNKNOWN")

    def close(self) -> None:
        self.channel.close()
