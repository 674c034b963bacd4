# r1-reward Python test harness: runs inside the bubblewrap sandbox for call-based and assertion tests.
#
# Two processes, so that the candidate can never forge a pass:
#   checker (this process, trusted): reads the job (nonce, tests, test code) from fd 0 *after* forking
#     the candidate, runs the test code, and reports each unit as "<nonce> <json>" on fd 3 (the host's
#     result pipe). It is made non-dumpable first, so the candidate cannot read its memory or open its
#     fds through /proc, nor ptrace it.
#   candidate (forked before the job is read, so its memory holds no secret): keeps only two RPC pipes,
#     runs the program, and answers calls. Everything it sends back is decoded here into plain builtin
#     values (tagged JSON, no pickle), so its __eq__, exit tricks and monkey-patching never reach the
#     checker's asserts; its exit or death is a failed unit, never a pass.
import builtins
import json
import os
import re
import select
import struct
import sys
import time

MAX_MSG = 64 << 20
_ROLE = "checker"


def _nondumpable():
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(4, 0, 0, 0, 0) != 0:  # PR_SET_DUMPABLE = 4
            raise OSError(ctypes.get_errno(), "prctl")
    except Exception as e:  # without it the nonce could be read: refuse to run
        sys.stderr.write("harness: cannot make checker non-dumpable: %r\n" % (e,))
        os._exit(70)


# ---------- framing and the tagged value encoding (shared by both sides) ----------


def send(fd, obj):
    data = json.dumps(obj, separators=(",", ":")).encode()
    buf = struct.pack("<I", len(data)) + data
    view = memoryview(buf)
    while view:
        n = os.write(fd, view)
        view = view[n:]


class Timeout(BaseException):
    pass


class Gone(BaseException):
    pass


def _read_exact(fd, n, deadline):
    chunks = []
    while n > 0:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise Timeout()
            r, _, _ = select.select([fd], [], [], left)
            if not r:
                raise Timeout()
        b = os.read(fd, min(n, 1 << 20))
        if not b:
            raise Gone()
        chunks.append(b)
        n -= len(b)
    return b"".join(chunks)


def recv(fd, deadline=None):
    (n,) = struct.unpack("<I", _read_exact(fd, 4, deadline))
    if n > MAX_MSG:
        raise Gone("message too large")
    return json.loads(_read_exact(fd, n, deadline))


def encode(x, refs=None, depth=0):
    """Python value -> tagged JSON. Unknown objects become remote refs (candidate side) or 'other'."""
    if depth > 100:
        raise ValueError("value nested too deeply")
    t = type(x)
    if x is None or t is bool or t is str:
        return x
    if t is int:
        return x if -(2**53) < x < 2**53 else {"$t": "int", "v": str(x)}
    if t is float:
        if x != x:
            return {"$t": "float", "v": "nan"}
        if x in (float("inf"), float("-inf")):
            return {"$t": "float", "v": "inf" if x > 0 else "-inf"}
        return x
    if t is list or t is tuple:
        return {"$t": "list" if t is list else "tuple", "v": [encode(e, refs, depth + 1) for e in x]}
    if t is set or t is frozenset:
        return {"$t": "set", "v": [encode(e, refs, depth + 1) for e in x]}
    if t is dict:
        return {"$t": "dict", "v": [[encode(k, refs, depth + 1), encode(v, refs, depth + 1)] for k, v in x.items()]}
    if t is bytes or t is bytearray:
        import base64

        return {"$t": "bytes", "v": base64.b64encode(bytes(x)).decode()}
    if t is complex:
        return {"$t": "complex", "v": [encode(x.real), encode(x.imag)]}
    # subclasses of builtins (Counter, defaultdict, OrderedDict, namedtuple, int/str subclasses) travel as
    # their base value, read through the base type's own methods so overridden ones are never called
    if isinstance(x, bool):
        return bool.__bool__(x)
    if isinstance(x, int):
        return encode(int.__add__(x, 0), refs, depth)
    if isinstance(x, float):
        return encode(float.__add__(x, 0.0), refs, depth)
    if isinstance(x, str):
        return str.__str__(x)
    if isinstance(x, tuple):
        return {"$t": "tuple", "v": [encode(e, refs, depth + 1) for e in tuple.__iter__(x)]}
    if isinstance(x, list):
        return {"$t": "list", "v": [encode(e, refs, depth + 1) for e in list.__iter__(x)]}
    if isinstance(x, dict):
        return {"$t": "dict", "v": [[encode(k, refs, depth + 1), encode(v, refs, depth + 1)] for k, v in dict.items(x)]}
    if isinstance(x, (set, frozenset)):
        return {"$t": "set", "v": [encode(e, refs, depth + 1) for e in (set.__iter__(x) if isinstance(x, set) else frozenset.__iter__(x))]}
    if isinstance(x, type) and getattr(builtins, getattr(x, "__name__", ""), None) is x:
        return {"$t": "builtin", "v": x.__name__}
    if refs is None and callable(x) and getattr(builtins, getattr(x, "__name__", ""), None) is x:
        return {"$t": "builtin", "v": x.__name__}
    if refs is not None:
        refs.append(x)
        return {"$t": "ref", "v": len(refs) - 1, "r": _safe_repr(x)}
    if isinstance(x, Remote):
        return {"$t": "other", "v": "%s" % (x._repr,)}
    return {"$t": "other", "v": type(x).__name__}


def _safe_repr(x):
    try:
        r = repr(x)
        return r[:200] if type(r) is str else "?"
    except BaseException:
        return "?"


def decode(x, make_ref, depth=0):
    """Tagged JSON -> plain builtin values (checker side builds only exact builtin types)."""
    if depth > 100:
        raise ValueError("value nested too deeply")
    if x is None or type(x) in (bool, int, float, str):
        return x
    if type(x) is list:
        return [decode(e, make_ref, depth + 1) for e in x]
    if type(x) is not dict:
        raise ValueError("bad value")
    if "$t" not in x:  # a plain JSON object from the task
        return {str(k): decode(w, make_ref, depth + 1) for k, w in x.items()}
    t = x.get("$t")
    v = x.get("v")
    if t == "list":
        return [decode(e, make_ref, depth + 1) for e in v]
    if t == "tuple":
        return tuple(decode(e, make_ref, depth + 1) for e in v)
    if t == "set":
        return set(decode(e, make_ref, depth + 1) for e in v)
    if t == "dict":
        return {decode(k, make_ref, depth + 1): decode(w, make_ref, depth + 1) for k, w in v}
    if t == "int":
        return int(str(v))
    if t == "float":
        return float(str(v))
    if t == "bytes":
        import base64

        return base64.b64decode(str(v))
    if t == "complex":
        return complex(float(v[0]), float(v[1]))
    if t == "builtin":
        b = getattr(builtins, str(v), None)
        # the checker accepts builtin types only; the candidate may also receive builtin functions (len, abs)
        if b is None or (_ROLE != "candidate" and not isinstance(b, type)):
            raise ValueError("bad builtin")
        return b
    if t == "ref":
        return make_ref(int(v), str(x.get("r", "?"))[:200])
    if t == "other":
        return Opaque(str(v)[:200])
    raise ValueError("bad tag")


class Opaque:
    __slots__ = ("text",)

    def __init__(self, text):
        self.text = text

    def __repr__(self):
        return "<%s>" % self.text


# ---------- candidate side ----------

# Call-based (fn_name) programs get the import block LiveCodeBench's grader and veRL's prime_code put
# before them: LeetCode-style solutions use List, Optional, defaultdict, deque, heappush, bisect, gcd,
# inf, lru_cache... without importing them. `builtins` comes after the others so that no builtin
# (compile, open, pow) stays shadowed. Task key `standard_imports: false` turns it off.
_STAR = ("string", "re", "datetime", "collections", "heapq", "bisect", "copy", "math", "random", "statistics", "itertools",
         "functools", "operator", "io", "sys", "json", "builtins", "typing")
STANDARD_IMPORTS = "".join("from %s import *\n" % m for m in _STAR) + "".join(
    "import %s\n" % m for m in _STAR if m not in ("builtins", "typing")) + "sys.setrecursionlimit(50000)\n"


def candidate_main(rfd, wfd):
    global _ROLE
    _ROLE = "candidate"
    refs = []
    objs = []

    def arg_ref(i, _r):
        return objs[i]

    msg = recv(rfd)
    g = {"__name__": "__candidate__", "__builtins__": builtins}
    pre = {}
    try:
        if msg.get("imports"):
            exec(compile(STANDARD_IMPORTS, "<imports>", "exec"), g)
            pre = dict(g)
        exec(compile(msg["code"], "<program>", "exec"), g)
    except BaseException as e:
        send(wfd, {"err": type(e).__name__, "msg": _safe_repr(e)})
        os._exit(0)
    names = {}
    for k, v in list(g.items()):
        if k.startswith("__") or (k in pre and pre[k] is v):  # only the program's own names
            continue
        if callable(v) or type(v).__name__ == "module":
            objs.append(v)
            names[k] = {"$t": "ref", "v": len(objs) - 1, "r": k}
        else:
            try:
                names[k] = encode(v, None)
            except BaseException:
                continue
    send(wfd, {"ok": names})
    while True:
        req = recv(rfd)
        try:
            target = objs[req["ref"]]
            args = [decode(a, arg_ref) for a in req.get("args", [])]
            op = req["op"]
            if op == "call":
                val = target(*args, **{str(k): decode(v, arg_ref) for k, v in req.get("kwargs", [])})
            elif op == "attr":
                val = getattr(target, req["name"])
            elif op == "method":
                val = getattr(target, req["name"])(*args)
            elif op == "list":
                val = list(target)
            elif op == "bool":
                val = bool(target)
            elif op == "setattr":
                setattr(target, req["name"], args[0])
                val = None
            else:
                raise ValueError("bad op")
            refs.clear()
            out = encode(val, refs)
            for r in refs:
                objs.append(r)
            # renumber refs to their slots in objs
            base = len(objs) - len(refs)
            send(wfd, {"ok": _shift(out, base)})
        except BaseException as e:
            try:
                send(wfd, {"err": type(e).__name__, "msg": _safe_repr(e)})
            except BaseException:
                os._exit(1)


def _shift(x, base):
    if isinstance(x, dict):
        if x.get("$t") == "ref":
            return {"$t": "ref", "v": x["v"] + base, "r": x["r"]}
        return {k: _shift(v, base) for k, v in x.items()}
    if isinstance(x, list):
        return [_shift(e, base) for e in x]
    return x


# ---------- checker side ----------

_EXC = {n: getattr(builtins, n) for n in dir(builtins) if isinstance(getattr(builtins, n), type) and issubclass(getattr(builtins, n), Exception)}


class RemoteError(Exception):
    pass


class Channel:
    def __init__(self, rfd, wfd, pid):
        self.rfd, self.wfd, self.pid = rfd, wfd, pid
        self.deadline = None
        self.dead = False

    def request(self, req):
        if self.dead:
            raise Gone()
        try:
            send(self.wfd, req)
            rep = recv(self.rfd, self.deadline)
        except (OSError, ValueError, Gone):
            self.dead = True
            raise Gone()
        if "err" in rep:
            name = str(rep.get("err"))
            if name == "MemoryError":
                raise MemoryError(str(rep.get("msg"))[:300])
            cls = _EXC.get(name, RemoteError)
            if cls is AssertionError:  # an assert inside the program is a runtime error, not a failed check
                cls = RemoteError
            raise cls(str(rep.get("msg"))[:300])
        return decode(rep["ok"], self.make_ref)

    def make_ref(self, i, r):
        return Remote(self, i, r)


class Remote:
    """A function, class or object that lives in the candidate process. Equality is identity only:
    the candidate never decides whether a checker's comparison holds."""

    __slots__ = ("_ch", "_i", "_repr")

    def __init__(self, ch, i, r):
        object.__setattr__(self, "_ch", ch)
        object.__setattr__(self, "_i", i)
        object.__setattr__(self, "_repr", r)

    def __setattr__(self, name, value):
        self._ch.request({"op": "setattr", "ref": self._i, "name": name, "args": [encode(value)]})

    def __call__(self, *args, **kwargs):
        req = {"op": "call", "ref": self._i, "args": [encode(a) for a in args]}
        if kwargs:
            req["kwargs"] = [[str(k), encode(v)] for k, v in kwargs.items()]
        return self._ch.request(req)

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return self._ch.request({"op": "attr", "ref": self._i, "name": name})

    def __iter__(self):
        return iter(self._ch.request({"op": "list", "ref": self._i}))

    def __len__(self):
        try:
            return self._ch.request({"op": "method", "ref": self._i, "name": "__len__"})
        except AttributeError:  # list(remote) asks for a length hint first
            raise TypeError("object has no len()")

    def __getitem__(self, k):
        return self._ch.request({"op": "method", "ref": self._i, "name": "__getitem__", "args": [encode(k)]})

    def __contains__(self, k):
        return self._ch.request({"op": "method", "ref": self._i, "name": "__contains__", "args": [encode(k)]}) is True

    def __bool__(self):
        return self._ch.request({"op": "bool", "ref": self._i}) is True

    def __eq__(self, other):
        return isinstance(other, Remote) and other._i == self._i

    def __ne__(self, other):
        return not self.__eq__(other)

    __hash__ = object.__hash__

    def __repr__(self):
        return "<remote %s>" % self._repr


def _encode_arg(a):
    if isinstance(a, Remote):
        return {"$t": "ref", "v": a._i}
    return encode(a)


# arguments that are remote objects go back as refs
def _patch_encode():
    global encode
    plain = encode

    def enc(x, refs=None, depth=0):
        if isinstance(x, Remote):
            return {"$t": "ref", "v": x._i, "r": x._repr}
        if type(x) in (list, tuple):
            return {"$t": "list" if type(x) is list else "tuple", "v": [enc(e, refs, depth + 1) for e in x]}
        return plain(x, refs, depth)

    encode = enc


def units_of(job):
    """(label, kind, payload) per unit of verdict."""
    if job.get("calls") is not None:
        return [("call", c) for c in job["calls"]]
    code = job.get("test_code") or ""
    entry = job.get("entry_point")
    if entry and re.search(r"^def check\s*\(", code, re.M):
        compile(code, "<tests>", "exec")  # a SyntaxError here is the task's fault
        return [("check", code)]
    import ast  # only assert-line tests need it (4 ms of start-up)

    return [("stmts", ast.parse(code, "<tests>"))]


def checker_main(cfd_r, cfd_w, pid):
    job = json.loads(sys.stdin.buffer.read())
    nonce = job["nonce"]
    out = os.fdopen(3, "w", buffering=1)

    def report(obj):
        out.write(nonce + " " + json.dumps(obj, separators=(",", ":")) + "\n")
        out.flush()

    report({"ready": True})
    try:
        units = units_of(job)
    except SyntaxError as e:
        report({"bad_tests": "test_code does not parse: %s" % (e,)})
        return
    count = len(units) if units and units[0][0] == "call" else sum(1 for u in units if u[0] == "check") + sum(
        sum(1 for n in u[1].body if type(n).__name__ == "Assert") for u in units if u[0] == "stmts"
    )
    if count == 0:
        report({"bad_tests": "test_code has no top-level assert and no check() to call with entry_point"})
        return
    report({"units": count})
    ch = Channel(cfd_r, cfd_w, pid)
    unit_ms = job["unit_ms"] / 1000.0
    ch.deadline = time.monotonic() + unit_ms
    try:
        send(cfd_w, {"code": job["program"], "imports": job.get("calls") is not None and job.get("standard_imports", True)})
        rep = recv(cfd_r, ch.deadline)
    except Timeout:
        report({"load": "timeout"})
        _kill(pid)
        return
    except (Gone, OSError, ValueError):
        report({"load": "runtime_error", "msg": "program exited while loading"})
        return
    if "err" in rep:
        over = rep["err"] == "MemoryError" and _over_memory(pid, job.get("memory_mb", 0))
        report({"load": "memory_limit" if over else "runtime_error", "msg": "%s: %s" % (rep["err"], str(rep.get("msg"))[:300])})
        _kill(pid)
        return
    ns = {"__name__": "__main__", "__builtins__": builtins}
    for k, v in rep["ok"].items():
        try:
            ns[str(k)] = decode(v, ch.make_ref)
        except Exception:
            pass
    setup = job.get("setup_code") or ""
    if setup.strip():
        try:
            exec(compile(setup, "<setup>", "exec"), ns)
        except BaseException as e:
            report({"load": "runtime_error", "msg": "setup_code: " + _safe_repr(e)})
            _kill(pid)
            return
    i = 0

    def run_unit(fn):
        nonlocal i
        ch.deadline = time.monotonic() + unit_ms
        t0 = time.monotonic()
        try:
            val = fn()
            rec = {"i": i, "v": "passed"}
            if val is not _NOTHING:
                rec["value"] = encode(val)
        except Timeout:
            rec = {"i": i, "v": "timeout"}
        except Gone:
            rec = {"i": i, "v": "runtime_error", "msg": "program process exited or died"}
        except AssertionError as e:
            rec = {"i": i, "v": "wrong_answer", "msg": ("AssertionError: " + _safe_repr(e))[:300]}
        except MemoryError as e:
            over = _over_memory(pid, job.get("memory_mb", 0))
            rec = {"i": i, "v": "memory_limit" if over else "runtime_error", "msg": ("MemoryError: " + _safe_repr(e))[:300]}
        except RecursionError as e:
            rec = {"i": i, "v": "runtime_error", "msg": "RecursionError: " + _safe_repr(e)[:300]}
        except Exception as e:
            rec = {"i": i, "v": "runtime_error", "msg": (type(e).__name__ + ": " + _safe_repr(e))[:300]}
        rec["ms"] = round((time.monotonic() - t0) * 1000, 3)
        report(rec)
        i += 1
        if ch.dead or rec["v"] == "timeout" or (job.get("early_stop") and rec["v"] != "passed"):
            _kill(pid)
            ch.dead = True
            return False
        return True

    for unit in units:
        kind = unit[0]
        if kind == "call":
            c = unit[1]

            def call(c=c):
                # "f", "Cls.method" / "Cls().method" (a fresh instance per call), or LeetCode's "method"
                # of class Solution when the program has no such top-level name (as LiveCodeBench and veRL)
                parts = c["call"].split(".")
                head = parts[0][:-2] if parts[0].endswith("()") else parts[0]
                f = ns.get(head)
                if f is None and len(parts) == 1 and ns.get("Solution") is not None:
                    f = getattr(ns["Solution"](), head)
                elif f is None:
                    raise NameError("name %r is not defined by the program" % head)
                elif len(parts) == 2:
                    f = getattr(f(), parts[1])
                return f(*[decode(a, ch.make_ref) for a in c["args"]])

            if not run_unit(call):
                break
        elif kind == "check":
            try:
                exec(compile(unit[1], "<tests>", "exec"), ns)
            except BaseException as e:
                report({"load": "runtime_error", "msg": "test_code: " + _safe_repr(e)})
                break
            entry = job["entry_point"]

            def check():
                if entry not in ns:
                    raise NameError("name %r is not defined by the program" % entry)
                ns["check"](ns[entry])
                return _NOTHING

            run_unit(check)
        else:
            import ast

            for node in unit[1].body:
                mod = ast.Module(body=[node], type_ignores=[])
                code = compile(mod, "<tests>", "exec")
                if isinstance(node, ast.Assert):

                    def stmt(code=code):
                        exec(code, ns)
                        return _NOTHING

                    if not run_unit(stmt):
                        break
                else:
                    ch.deadline = time.monotonic() + unit_ms
                    try:
                        exec(code, ns)
                    except BaseException as e:
                        report({"load": "runtime_error", "msg": "test_code: " + _safe_repr(e)})
                        break
    report({"done": True})
    _kill(pid)


_NOTHING = object()

# a MemoryError is the candidate's word; the kernel's (its peak resident memory) decides the verdict.
# Same rule as the host's MEMORY_FRACTION in src/code/verdicts.ts.
MEMORY_FRACTION = 0.5


def _over_memory(pid, limit_mb):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return limit_mb > 0 and int(line.split()[1]) >= limit_mb * 1024 * MEMORY_FRACTION
    except (OSError, ValueError):
        pass
    return False


def _kill(pid):
    try:
        os.kill(pid, 9)
    except OSError:
        pass


def main():
    # pid 1 of the sandbox: signals from inside reach it only through a handler, so keep none (Python's
    # SIGINT handler would let the candidate raise KeyboardInterrupt in the checker)
    import signal

    signal.signal(signal.SIGINT, signal.SIG_DFL)
    _nondumpable()
    _patch_encode()
    c2p_r, c2p_w = os.pipe()
    p2c_r, p2c_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        # candidate: nothing but its two pipes; stdout goes to stderr so prints never reach the host's result channel
        os.close(c2p_w)
        os.close(p2c_r)
        null = os.open("/dev/null", os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(2, 1)
        lo, hi = sorted((c2p_r, p2c_w))
        os.closerange(3, lo)
        os.closerange(lo + 1, hi)
        os.closerange(hi + 1, 1 << 16)
        sys.stdin = open(os.devnull)
        try:
            candidate_main(c2p_r, p2c_w)
        except BaseException:
            pass
        os._exit(0)
    os.close(c2p_r)
    os.close(p2c_w)
    try:
        checker_main(p2c_r, c2p_w, pid)
    finally:
        _kill(pid)
    os._exit(0)


if __name__ == "__main__":
    main()
