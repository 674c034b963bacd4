# r1-reward warm runner: the trusted pid 1 of a slot's long-lived sandbox (bwrap --as-pid-1). It serves
# job after job (each job is one rollout) and runs every test of a job in a fresh child:
#   python: the child is forked from this interpreter before any candidate code was loaded, and runs the
#           program as __main__ in a pristine namespace (no second interpreter start);
#   exec:   the child execs a compiled binary (C++), compiled once per job by its first child, kept in a
#           sealed memfd the candidate cannot write;
#   units:  the child is the assertion/call-test checker of harness.py (imported here once), which forks
#           the candidate before it reads the tests; the tests reach it spliced from the job channel
#           straight into its stdin, so they never enter this process's memory (and no later job's
#           fork inherits them).
# Per test the child gets the test's stdin, its own rlimits (CPU, address space, file size, stack),
# stdout/stderr pipes drained and capped here, and an empty /tmp; after it, every process it left is
# killed (pid 1 kills the whole namespace but itself with kill(-1)) and reaped, and /tmp, /dev/shm and
# SysV IPC objects are emptied before the next test, or the next job, starts.
# Jobs: on fd 0, each a 4-byte little-endian length and a marshal'd dict (marshal is built in), then for
# units `secret_len` bytes of the checker's job. EOF ends the runner.
# Results: frames on fd 3 (held by no child), each a header line of key=value integers, then
# `stdout_len` bytes of stdout and `stderr_len` bytes of stderr; `done=1` ends a job. Expected outputs
# never enter: the host compares.
# Nothing inside can signal this process (pid 1 without handlers), trace it or read its memory
# (non-dumpable); if it dies, its missing frames tell the host the infrastructure failed.
import builtins
import gc
import marshal
import os
import resource
import select
import signal
import sys
import time
import _thread
import types  # the children need it: importing it in each would cost ~2 ms per test

OUT = 3


def _prctl_dumpable(on):
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(4, 1 if on else 0, 0, 0, 0) != 0:  # PR_SET_DUMPABLE
        raise OSError(ctypes.get_errno(), "prctl")
    return libc


def frame(head, data=b"", err=b""):
    head["stdout_len"] = len(data)
    head["stderr_len"] = len(err)
    line = " ".join("%s=%d" % (k, v) for k, v in head.items())
    buf = line.encode() + b"\n" + data + err
    view = memoryview(buf)
    while view:
        view = view[os.write(OUT, view) :]


def _kill_all():
    for _ in range(3):
        try:
            os.kill(-1, signal.SIGKILL)  # from pid 1: everyone in the namespace but us
        except ProcessLookupError:
            return


def sweep():
    """Kill everything in the namespace but us, reap it, empty the writable places."""
    for _ in range(3):
        try:
            os.kill(-1, signal.SIGKILL)
        except ProcessLookupError:
            break
        _reap()
    _reap()
    for top in ("/tmp", "/dev/shm"):
        _empty(top)
    _ipc_clean()


def _reap():
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            # a killed process not yet gone: wait for it
            try:
                os.waitpid(-1, 0)
            except ChildProcessError:
                return


def _empty(top, depth=0):
    try:
        entries = list(os.scandir(top))
    except OSError:
        return
    for e in entries:
        try:
            if e.is_dir(follow_symlinks=False):
                os.chmod(e.path, 0o700)  # a test may have made it unreadable
                _empty(e.path, depth + 1)
                os.rmdir(e.path)
            else:
                os.unlink(e.path)
        except OSError:
            pass


_libc = None


def _ipc_clean():
    for kind, cmd in (("shm", 0), ("msg", 0), ("sem", 0)):
        try:
            with open("/proc/sysvipc/" + kind) as f:
                ids = [int(line.split()[1]) for line in f.readlines()[1:] if line.strip()]
        except OSError:
            continue
        for i in ids:
            fn = {"shm": _libc.shmctl, "msg": _libc.msgctl, "sem": _libc.semctl}[kind]
            if kind == "sem":
                fn(i, 0, 0)  # IPC_RMID = 0
            else:
                fn(i, 0, None)


def limits_in_child(lim):
    def set_(what, v):
        if v is not None:
            resource.setrlimit(what, (v, v))

    set_(resource.RLIMIT_AS, lim.get("as"))
    set_(resource.RLIMIT_CPU, lim.get("cpu_s"))
    set_(resource.RLIMIT_FSIZE, lim.get("fsize"))
    set_(resource.RLIMIT_STACK, lim.get("stack"))
    set_(resource.RLIMIT_NPROC, lim.get("nproc"))
    set_(resource.RLIMIT_CORE, 0)
    # a fresh interpreter's threads get stacks of its RLIMIT_STACK (glibc reads it at start-up); a fork
    # of this runner would get the sandbox's, far larger: give them the child's own
    if lim.get("stack"):
        _thread.stack_size(lim["stack"])


def run_python(src, compiled):
    """In the forked child: the program as __main__, as `python3 -I -S /box/main.py` would run it.
    `compiled` is the program compiled once by the runner (None when it does not compile: then it is
    compiled here again, so the SyntaxError is raised and reported as the interpreter would)."""
    main = types.ModuleType("__main__")
    main.__file__ = "/box/main.py"
    main.__builtins__ = builtins
    sys.modules["__main__"] = main
    sys.argv = ["/box/main.py"]
    sys.stdin = open(0, "r", encoding="utf-8", closefd=False)
    sys.stdout = open(1, "w", encoding="utf-8", closefd=False)
    sys.stderr = open(2, "w", encoding="utf-8", errors="backslashreplace", closefd=False, buffering=1)
    sys.__stdin__, sys.__stdout__, sys.__stderr__ = sys.stdin, sys.stdout, sys.stderr
    code = 0
    try:
        exec(compiled if compiled is not None else compile(src, "/box/main.py", "exec"), main.__dict__)
    except SystemExit as e:
        code = _exit_code(e)
    except BaseException:
        import traceback

        traceback.print_exc()
        code = 1
    code = _finish(code)
    os._exit(code)


def _exit_code(e):
    c = e.code
    if c is None:
        return 0
    if isinstance(c, int):
        return c & 0xFF
    try:
        sys.stderr.write(str(c) + "\n")
    except BaseException:
        pass
    return 1


def _finish(code):
    # what the interpreter does at exit: join threads, run atexit, flush
    try:
        t = sys.modules.get("threading")
        if t is not None:
            t._shutdown()
        import atexit

        atexit._run_exitfuncs()
    except SystemExit as e:
        code = _exit_code(e)
    except BaseException:
        pass
    for s in (sys.stdout, sys.stderr):
        try:
            s.flush()
        except BaseException:
            if s is sys.stdout and code == 0:
                code = 120  # as CPython: stdout could not be flushed
    return code


def one(job, i, stdin, lim, argv=None, exe_fd=None, keep=None):
    """Runs one child to its end or deadline; returns its header and stdout. `keep` (path, dict): a file
    the child made, moved into a sealed memfd (dict["fd"]) when the child succeeded, before the sweep."""
    in_r, in_w = os.pipe()
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    t0 = time.monotonic()
    if argv is not None:
        pid = _spawn(job, lim, argv, exe_fd, in_r, out_w, err_w)
    else:
        pid = os.fork()
    if pid == 0:
        try:
            units = job["mode"] == "units"
            os.dup2(in_r, 0)
            # the checker reports on fd 3 and prints on stderr; a program writes stdout and stderr
            os.dup2(err_w if units else out_w, 1)
            os.dup2(err_w, 2)
            if units:
                os.dup2(out_w, 3)
                os.closerange(4, 1 << 16)
            elif exe_fd is None:
                os.closerange(3, 1 << 16)
            else:
                os.closerange(3, exe_fd)
                os.closerange(exe_fd + 1, 1 << 16)
            os.chdir(lim.get("cwd", "/tmp"))
            limits_in_child(lim)
            if units:
                harness.main()  # stays non-dumpable; never returns
            _libc.prctl(4, 1, 0, 0, 0)  # the program may read its own /proc/self; the runner stays closed
            signal.signal(signal.SIGINT, signal.default_int_handler)  # as a fresh interpreter has it
            run_python(job["program"], job.get("code"))
        except BaseException as e:
            try:
                os.write(2, ("r1-runner: %r\n" % (e,)).encode())
            except BaseException:
                pass
        os._exit(127)
    for fd in (in_r, out_w, err_w):
        os.close(fd)
    if isinstance(stdin, int):
        # the checker's job: moved from the job channel into its stdin by the kernel, never read here
        _splice_in(stdin, in_w)
        os.close(in_w)
        in_w = -1
        stdin = b""
    cap = lim["out_bytes"]
    wall = lim["wall_ms"] / 1000.0
    out, err = [], []
    n_out = n_err = 0
    data = memoryview(stdin)
    if not data:
        if in_w >= 0:
            os.close(in_w)
        in_w = -1
    else:
        os.set_blocking(in_w, False)
    timed_out = over = False
    status = None
    ru = None
    pidfd = os.pidfd_open(pid)
    open_r = {out_r, err_r}
    while True:
        if status is None:
            got, st, r = _wait(pid)
            if got:
                status, ru = st, r
                # the program ended: whatever it left ends now too (as when a sandbox's pid 1 exits),
                # and its pipes close once their last writers are gone
                _kill_all()
        if status is not None and not open_r:
            break
        left = t0 + wall - time.monotonic()
        if left <= 0:
            timed_out = status is None
            break
        if status is not None:
            # the program ended; a process it left may hold its pipes: drain what is there, then stop
            left = min(left, 0.05)
        rl = list(open_r) + ([pidfd] if status is None else [])
        wl = [in_w] if in_w >= 0 else []
        try:
            r_ready, w_ready, _ = select.select(rl, wl, [], left)
        except InterruptedError:
            continue
        if not r_ready and not w_ready and status is not None:
            break
        if w_ready:
            try:
                n = os.write(in_w, data[: 1 << 16])
                data = data[n:]
            except (BrokenPipeError, BlockingIOError, OSError):
                data = data[:0]
            if not data:
                os.close(in_w)
                in_w = -1
        for fd in r_ready:
            if fd == pidfd:
                continue
            b = os.read(fd, 1 << 16)
            if not b:
                open_r.discard(fd)
                os.close(fd)
                continue
            if fd == out_r:
                n_out += len(b)
                out.append(b)
                if n_out > cap:
                    over = True
            else:
                n_err += len(b)
                if n_err <= cap:
                    err.append(b)
                else:
                    over = True
        if over:
            break
    if status is None:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
        _, st, r = _wait(pid, block=True)
        status, ru = st, r
    ms = (time.monotonic() - t0) * 1000
    for fd in list(open_r) + ([in_w] if in_w >= 0 else []) + [pidfd]:
        try:
            os.close(fd)
        except OSError:
            pass
    if keep and os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0 and not timed_out and not over:
        try:
            keep[1]["fd"] = _sealed_copy(keep[0])
        except OSError:
            pass
    sweep()
    stdout = b"".join(out)[: cap + 1]
    stderr = b"".join(err)
    if len(stderr) > 8000:
        stderr = stderr[:4000] + "\n…\n".encode() + stderr[-4000:]
    head = {"i": i, "us": int(ms * 1000), "maxrss_kb": ru.ru_maxrss if ru else 0, "timeout": int(timed_out), "output_limit": int(over)}
    if os.WIFEXITED(status):
        head["exit"] = os.WEXITSTATUS(status)
    else:
        head["signal"] = os.WTERMSIG(status)
    return head, stdout, stderr


HELPER = "/.r1/init"  # r1-launch: `--exec LIMITS -- path argv` sets the rlimits and execs


def _spawn(job, lim, argv, exe_fd, in_r, out_w, err_w):
    """An exec'd child without forking this interpreter: posix_spawn (vfork) of the small C helper,
    which sets the child's rlimits and execs the program. It starts in our cwd (/tmp), with default
    signal dispositions (Python ignores SIGPIPE and SIGXFSZ; ignored signals would survive exec) and
    only fds 0-2 (every other descriptor of ours is close-on-exec) plus the sealed binary."""
    n = lambda k: "unlimited" if lim.get(k) is None else str(lim[k])
    path = argv[0] if exe_fd is None else "/proc/self/fd/%d" % exe_fd
    args = [HELPER, "--exec", n("as"), n("cpu_s"), n("nproc"), n("fsize"), n("stack"), "--", path] + list(argv)
    return os.posix_spawn(
        HELPER,
        args,
        job.get("env", {}),
        file_actions=[(os.POSIX_SPAWN_DUP2, in_r, 0), (os.POSIX_SPAWN_DUP2, out_w, 1), (os.POSIX_SPAWN_DUP2, err_w, 2)],
        setsigdef=(signal.SIGPIPE, signal.SIGXFSZ, signal.SIGINT),
    )


def _wait(pid, block=False):
    try:
        got, st, ru = os.wait4(pid, 0 if block else os.WNOHANG)
    except ChildProcessError:
        return True, 0, None
    return got == pid, st, ru


def _read_exact(n):
    chunks = []
    while n > 0:
        b = os.read(0, min(n, 1 << 20))
        if not b:
            return None
        chunks.append(b)
        n -= len(b)
    return b"".join(chunks)


def _splice_in(n, in_w):
    """Moves the next `n` bytes of the job channel into the checker's stdin. Whatever the checker does
    not take (it died) is spliced to /dev/null, so the channel stays in step with the host."""
    while n > 0:
        try:
            k = os.splice(0, in_w, min(n, 1 << 16))
        except OSError:
            break  # the checker is gone (EPIPE)
        if k == 0:
            return
        n -= k
    if n > 0:
        null = os.open("/dev/null", os.O_WRONLY)
        try:
            while n > 0:
                k = os.splice(0, null, min(n, 1 << 16))
                if k == 0:
                    break
                n -= k
        finally:
            os.close(null)


def _load_harness():
    global harness
    if harness is None:
        import harness as h
        import ast  # noqa: F401  (assert-line tests parse with it: 2 ms a checker would pay each time)

        harness = h


def serve(job):
    lim = job["limits"]
    if job["mode"] == "python":
        try:
            job["code"] = compile(job["program"], "/box/main.py", "exec")
        except BaseException:
            job["code"] = None
    if job["mode"] == "units":
        _load_harness()
        head, out, err = one(job, 0, job["secret_len"], lim)
        frame(head, out, err)
        return
    argv = None
    exe_fd = None
    if job.get("compile"):
        c = job["compile"]
        os.makedirs("/tmp/build", exist_ok=True)
        for name, data in (job.get("files") or {}).items():
            with open("/tmp/build/" + name, "wb") as f:
                f.write(data.encode())
        kept = {}
        head, out, err = one({**job, "mode": "exec"}, -1, b"", c["limits"], argv=c["argv"], keep=(c["output"], kept))
        head["compile"] = 1
        frame(head, out, err)
        if "fd" not in kept:
            return
        exe_fd = kept["fd"]
        argv = job["run_argv"]
    elif job["mode"] == "exec":
        argv = job["run_argv"]
    try:
        for i, stdin in enumerate(job["tests"]):
            head, out, err = one(job, i, stdin.encode(), lim, argv=argv, exe_fd=exe_fd)
            frame(head, out, err)
            failed = head.get("exit") != 0 or head.get("signal") or head["timeout"] or head["output_limit"]
            if failed and job.get("early_stop"):
                break
    finally:
        if exe_fd is not None:
            os.close(exe_fd)


def main():
    global _libc
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # pid 1 keeps no handler: nothing inside can signal it
    try:
        _libc = _prctl_dumpable(False)
    except BaseException as e:
        sys.stderr.write("runner: cannot make itself non-dumpable: %r\n" % (e,))
        os._exit(70)
    # no child, spawned or forked, may hold the result pipe or anything bwrap left open for us
    os.set_inheritable(OUT, False)
    os.set_inheritable(0, False)
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        if fd > 2 and fd != OUT:
            try:
                os.close(fd)
            except OSError:
                pass
    # the checker's code, loaded once by a long-lived runner (--preload): each checker is a fork of this
    # interpreter; a runner for one job loads it only if that job needs it
    sys.path.insert(0, "/box")
    if "--preload" in sys.argv:
        _load_harness()
    # the children share this interpreter's objects copy-on-write: keep its collector off their pages
    gc.collect()
    gc.freeze()
    while True:
        size = _read_exact(4)
        if size is None:
            return
        raw = _read_exact(int.from_bytes(size, "little"))
        if raw is None:
            return
        job = marshal.loads(raw)
        del raw
        serve(job)
        del job
        frame({"done": 1})


harness = None


def _sealed_copy(path):
    """The file's bytes in a memfd sealed against writes, open read-only (exec refuses a file open for
    writing): later tests exec it, and nothing they do can change it."""
    import fcntl

    with open(path, "rb") as f:
        data = f.read()
    w = os.memfd_create("main", os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING)
    view = memoryview(data)
    while view:
        view = view[os.write(w, view) :]
    fcntl.fcntl(w, fcntl.F_ADD_SEALS, fcntl.F_SEAL_WRITE | fcntl.F_SEAL_GROW | fcntl.F_SEAL_SHRINK | fcntl.F_SEAL_SEAL)
    r = os.open("/proc/self/fd/%d" % w, os.O_RDONLY)
    os.set_inheritable(r, True)  # through the helper's exec to the program's: read-only and sealed
    os.close(w)
    return r


if __name__ == "__main__":
    main()
