/*
 * r1-launch: starts bubblewrap for one sandboxed run.
 *   r1-launch UID AS_BYTES CPU_S NPROC FSIZE_BYTES STACK_BYTES NOFILE [ipc=SHM_BYTES] [report=FD] -- /usr/bin/bwrap ...
 *   r1-launch --sweep UID          (kill every process of UID, then exit)
 *   r1-launch --init FD -- cmd...  (inside the sandbox: its pid 1, see init_main)
 *   r1-launch --exec LIMITS -- path argv...  (inside the sandbox: a warm runner's child, see exec_main)
 * (any limit may be "unlimited")
 * It becomes a child subreaper, forks, and in the child sets the rlimits, gives the run its own IPC
 * namespace with capped SysV shared memory and message queues (ipc=), drops to UID (non-root, so
 * RLIMIT_NPROC applies), asks to die with it, and execs bwrap. The parent reaps every descendant that is
 * orphaned to it and exits with bwrap's status (128+n for a signal), once nothing is left.
 *
 * A run always ends with a sweep: the parent drops to UID itself and kills every process of UID (each
 * slot uid belongs to one run at a time), so nothing outlives the run however it ended -- bwrap killed
 * from outside, the host cancelling before bwrap reported its child (SIGTERM to this launcher), a
 * pid-1 left without its parent. report=FD gets one line at the end, written by this trusted process:
 *   "maxrss_kb=N bwrap=exit:C|signal:S"  (the run's peak resident memory; how bwrap ended)
 * One small C program replaces setpriv + prlimit (two execs fewer per run).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t stop_requested = 0;
static void on_stop(int sig) {
  (void)sig;
  stop_requested = 1;
}

static void lim(int what, const char *s) {
  rlim_t v = s[0] == 'u' ? RLIM_INFINITY : (rlim_t)strtoull(s, 0, 10); /* "unlimited" */
  struct rlimit r = {v, v};
  if (setrlimit(what, &r) != 0) {
    perror("r1-launch: setrlimit");
    _exit(125);
  }
}

static int put(const char *file, unsigned long long v) {
  int fd = open(file, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  char buf[32];
  int n = snprintf(buf, sizeof buf, "%llu\n", v);
  int ok = write(fd, buf, (size_t)n) == n;
  close(fd);
  return ok ? 0 : -1;
}

/* A fresh IPC namespace whose SysV shared memory totals at most `bytes` and whose message queues hold
 * at most 256 KiB (defaults of a new namespace allow terabytes). Needs CAP_SYS_ADMIN; 0 on success. */
static int capped_ipc(unsigned long long bytes) {
  if (unshare(CLONE_NEWIPC) != 0) return -1;
  long page = sysconf(_SC_PAGESIZE);
  if (put("/proc/sys/kernel/shmmax", bytes) || put("/proc/sys/kernel/shmall", bytes / (unsigned long long)page + 1) ||
      put("/proc/sys/kernel/shmmni", 64) || put("/proc/sys/kernel/msgmni", 16) || put("/proc/sys/kernel/msgmnb", 16384)) {
    perror("r1-launch: ipc limits");
    _exit(125); /* a namespace we made but could not cap: refuse rather than run uncapped */
  }
  return 0;
}

/* Kills every process of `uid` but this one (run as `uid`, after its run is over or abandoned). */
static int sweep(uid_t uid) {
  if (setgroups(0, 0) != 0 || setgid(uid) != 0 || setuid(uid) != 0) return -1;
  for (int i = 0; i < 3; i++) {
    if (kill(-1, SIGKILL) != 0 && errno == ESRCH) break;
    while (waitpid(-1, 0, WNOHANG) > 0) {
    }
  }
  return 0;
}

/* r1-launch --init FD -- cmd...: the sandbox's pid 1 (bwrap --as-pid-1). Runs cmd as its only child, with
 * no descriptor but 0-2, and reports how it ended on FD, which the program never holds:
 *   "exit:C maxrss_kb=N" or "signal:S maxrss_kb=N"  (wait4's status and peak resident memory)
 * Signals from inside the namespace cannot reach a pid 1 without handlers, so a missing report means
 * this init was killed from outside: an infrastructure fault, never the program's. When it exits, the
 * kernel kills whatever the program left in the namespace. */
static int init_main(int argc, char **argv) {
  if (argc < 5 || strcmp(argv[3], "--") != 0) return 125;
  int fd = atoi(argv[2]);
  pid_t pid = fork();
  if (pid < 0) return 125;
  if (pid == 0) {
    for (int i = 3; i < 1024; i++) close(i);
    execv(argv[4], argv + 4);
    _exit(127);
  }
  for (;;) {
    int st;
    struct rusage ru;
    pid_t p = wait4(-1, &st, 0, &ru);
    if (p < 0 && errno == EINTR) continue;
    if (p < 0) return 125;
    if (p != pid) continue;
    if (WIFEXITED(st)) dprintf(fd, "exit:%d maxrss_kb=%ld\n", WEXITSTATUS(st), ru.ru_maxrss);
    else dprintf(fd, "signal:%d maxrss_kb=%ld\n", WTERMSIG(st), ru.ru_maxrss);
    return 0;
  }
}

/* r1-launch --exec AS CPU NPROC FSIZE STACK -- path argv...: inside the sandbox, the warm runner's
 * spawned child: sets its own rlimits (hard = soft, so the program cannot raise them) and execs. */
static int exec_main(int argc, char **argv) {
  if (argc < 10 || strcmp(argv[7], "--") != 0) return 127;
  lim(RLIMIT_AS, argv[2]);
  lim(RLIMIT_CPU, argv[3]);
  lim(RLIMIT_NPROC, argv[4]);
  lim(RLIMIT_FSIZE, argv[5]);
  lim(RLIMIT_STACK, argv[6]);
  lim(RLIMIT_CORE, "0");
  execv(argv[8], argv + 9);
  perror("r1-launch: exec");
  return 127;
}

int main(int argc, char **argv) {
  if (argc >= 2 && strcmp(argv[1], "--init") == 0) return init_main(argc, argv);
  if (argc >= 2 && strcmp(argv[1], "--exec") == 0) return exec_main(argc, argv);
  if (argc == 3 && strcmp(argv[1], "--sweep") == 0) {
    uid_t uid = (uid_t)strtoul(argv[2], 0, 10);
    if (uid == 0) return 125;
    return sweep(uid) == 0 ? 0 : 125;
  }
  int dash = 8;
  unsigned long long shm = 0;
  int report = -1;
  for (; dash < argc && strcmp(argv[dash], "--") != 0; dash++) {
    if (strncmp(argv[dash], "ipc=", 4) == 0) shm = strtoull(argv[dash] + 4, 0, 10);
    else if (strncmp(argv[dash], "report=", 7) == 0) report = atoi(argv[dash] + 7);
    else break;
  }
  if (argc < 10 || dash + 1 >= argc || strcmp(argv[dash], "--") != 0) {
    fprintf(stderr, "usage: r1-launch UID AS CPU NPROC FSIZE STACK NOFILE [ipc=BYTES] [report=FD] -- cmd...\n");
    return 125;
  }
  uid_t uid = (uid_t)strtoul(argv[1], 0, 10);
  if (uid == 0) {
    fprintf(stderr, "r1-launch: refusing uid 0\n");
    return 125;
  }
  /* the host cancels a run with SIGTERM: sweep and exit, whatever state the run is in */
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_stop;
  sigaction(SIGTERM, &sa, 0);
  sigaction(SIGINT, &sa, 0);
  /* if the service dies, so does this launcher, then bwrap (its pdeathsig), then the sandbox (--die-with-parent) */
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() == 1) return 125;
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  pid_t child = fork();
  if (child < 0) {
    perror("r1-launch: fork");
    return 125;
  }
  if (child == 0) {
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    if (report >= 0) close(report);
    char **cmd = argv + dash + 1;
    if (shm > 0 && capped_ipc(shm) != 0) {
      /* no privilege for a capped namespace: bwrap's own (uncapped) one; the self-test reports it */
      char **alt = calloc((size_t)(argc - dash) + 2, sizeof *alt);
      if (!alt) _exit(125);
      alt[0] = cmd[0];
      alt[1] = "--unshare-ipc";
      for (int i = 1; cmd[i]; i++) alt[i + 1] = cmd[i];
      cmd = alt;
    }
    lim(RLIMIT_AS, argv[2]);
    lim(RLIMIT_CPU, argv[3]);
    lim(RLIMIT_NPROC, argv[4]);
    lim(RLIMIT_FSIZE, argv[5]);
    lim(RLIMIT_STACK, argv[6]);
    lim(RLIMIT_NOFILE, argv[7]);
    lim(RLIMIT_CORE, "0");
    if (setgroups(0, 0) != 0 || setgid(uid) != 0 || setuid(uid) != 0) {
      perror("r1-launch: drop privileges");
      _exit(125);
    }
    prctl(PR_SET_PDEATHSIG, SIGKILL); /* after setuid, which clears it */
    if (getppid() == 1) _exit(125);
    execv(cmd[0], cmd);
    perror("r1-launch: exec");
    _exit(125);
  }
  int code = 125, swept = 0;
  char how[32] = "none";
  for (;;) {
    if (stop_requested && !swept) swept = 1, sweep(uid);
    int st;
    pid_t p = waitpid(-1, &st, 0);
    if (p < 0) {
      if (errno == EINTR) continue;
      break; /* ECHILD: everything reaped */
    }
    if (p == child) {
      code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
      snprintf(how, sizeof how, WIFEXITED(st) ? "exit:%d" : "signal:%d", WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
      /* bwrap is gone: nothing of the run may stay (a pid-1 orphaned to us, a process it left behind) */
      if (!swept) swept = 1, sweep(uid);
    }
  }
  if (report >= 0) {
    struct rusage ru;
    getrusage(RUSAGE_CHILDREN, &ru);
    dprintf(report, "maxrss_kb=%ld bwrap=%s\n", ru.ru_maxrss, how);
  }
  return code;
}
