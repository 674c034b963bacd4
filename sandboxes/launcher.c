/*
 * r1-launch: starts bubblewrap for one sandboxed run.
 *   r1-launch UID AS_BYTES CPU_S NPROC FSIZE_BYTES STACK_BYTES NOFILE -- /usr/bin/bwrap ...
 * (any limit may be "unlimited")
 * It becomes a child subreaper, forks, and in the child sets the rlimits, drops to UID (non-root, so
 * RLIMIT_NPROC applies), asks to die with it, and execs bwrap. The parent reaps every descendant that is
 * orphaned to it -- bwrap's pid-1 exits after the outer bwrap and would otherwise become a zombie of the
 * machine's init -- and exits with bwrap's status (128+n for a signal), once nothing is left.
 * One small C program replaces setpriv + prlimit (two execs fewer per run).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static void lim(int what, const char *s) {
  rlim_t v = s[0] == 'u' ? RLIM_INFINITY : (rlim_t)strtoull(s, 0, 10); /* "unlimited" */
  struct rlimit r = {v, v};
  if (setrlimit(what, &r) != 0) {
    perror("r1-launch: setrlimit");
    _exit(125);
  }
}

int main(int argc, char **argv) {
  if (argc < 10 || argv[8][0] != '-' || argv[8][1] != '-') {
    fprintf(stderr, "usage: r1-launch UID AS CPU NPROC FSIZE STACK NOFILE -- cmd...\n");
    return 125;
  }
  uid_t uid = (uid_t)strtoul(argv[1], 0, 10);
  if (uid == 0) {
    fprintf(stderr, "r1-launch: refusing uid 0\n");
    return 125;
  }
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
    execv(argv[9], argv + 9);
    perror("r1-launch: exec");
    _exit(125);
  }
  int status = 0, code = 125;
  for (;;) {
    int st;
    pid_t p = waitpid(-1, &st, 0);
    if (p < 0) {
      if (errno == EINTR) continue;
      break; /* ECHILD: everything reaped */
    }
    if (p == child) status = st, code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  }
  (void)status;
  return code;
}
