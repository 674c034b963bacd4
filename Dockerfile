# syntax=docker/dockerfile:1
# Production image of r1-reward: HTTP on 8000, gRPC on 50051, running as a non-root user.
# Build: docker build -t r1-reward .
# Run:   docker run -p 8000:8000 -p 50051:50051 --security-opt seccomp=unconfined --security-opt apparmor=unconfined --security-opt systempaths=unconfined r1-reward
# Code sandboxes use bubblewrap, which needs user namespaces and a fresh /proc: hence the three options
# (see docs/integrations.md, Deployment). Without them /readyz says 503 and the log says why.

# Node 24 LTS on Debian 13 (trixie). The tested Node versions are package.json's `engines`.
FROM node:24-trixie-slim AS build
WORKDIR /app
# isolated-vm 6 ships a prebuilt binary for Node 24 on linux-x64/arm64 (glibc); python3, g++ and make are
# node-gyp's fallback elsewhere, which scripts/install-ivm.mjs points at this Node's own headers
# (/usr/local/include/node): nothing is downloaded.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 g++ make \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# npm ci runs the package's install script, which picks the isolated-vm line for this Node and checks it
COPY scripts/install-ivm.mjs scripts/
COPY sandboxes/js/ivm.mjs sandboxes/js/
RUN npm ci --no-audit --no-fund --loglevel=error
COPY . .
# Serving only: without devDependencies and without the policy runner's optional packages (Dawn, tokenizers).
RUN npm run build && npm prune --omit=dev --omit=optional --no-audit --no-fund --loglevel=error
# The sandbox launcher, always built here for this image's libc (sandboxes/bin is not in the context).
RUN mkdir -p sandboxes/bin && cc -O2 -Wall -o sandboxes/bin/r1-launch sandboxes/launcher.c
# What the runtime needs, gathered in one place (sandboxes/ and examples/ only where the tree has them).
RUN mkdir /out \
 && cp -r package.json package-lock.json node_modules dist bin proto /out/ \
 && for d in sandboxes examples; do if [ -d "$d" ]; then cp -r "$d" /out/; fi; done

FROM node:24-trixie-slim AS runtime
# python3 and g++ run the code under test; bubblewrap isolates it; tini reaps sandbox children as PID 1;
# libcap2-bin sets the launcher's file capabilities below (and lets an operator getcap it).
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 g++ bubblewrap tini ca-certificates libcap2-bin \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production \
    R1_REWARD_HOST=0.0.0.0 \
    R1_REWARD_PORT=8000 \
    R1_REWARD_GRPC_PORT=50051 \
    R1_REWARD_SHUTDOWN_TIMEOUT_MS=30000 \
    R1_LAUNCHER=/app/sandboxes/bin/r1-launch
# Owned by root: the service user can read the code but not change it.
COPY --from=build --chown=root:root /out/ ./
# Code sandboxes: the launcher drops each run to its slot's uid (61000+slot) with setuid(), which an
# unprivileged service cannot do. Only the launcher gets CAP_SETUID/CAP_SETGID, as file capabilities;
# the node process holds none, and they are gone again once the launcher execs bubblewrap. Set here,
# after the COPY, because COPY --from does not reliably keep file capabilities (security.capability xattr).
# Only the service's group may run it. R1_LAUNCHER pins this copy (no fallback build into /tmp,
# which would lack the capabilities). Kubernetes: allowPrivilegeEscalation must be true (no_new_privs
# voids file capabilities) and SETUID/SETGID must stay in the bounding set (deploy/kubernetes).
RUN chown root:node sandboxes/bin/r1-launch \
 && chmod 0750 sandboxes/bin/r1-launch \
 && setcap cap_setuid,cap_setgid+ep sandboxes/bin/r1-launch \
 && getcap sandboxes/bin/r1-launch | grep -q cap_setgid,cap_setuid=ep
# The image's unprivileged `node` user (uid 1000) runs the service; the code is not writable by it.
USER node
EXPOSE 8000 50051
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.R1_REWARD_PORT||8000)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# SIGTERM (docker stop, Kubernetes) drains in-flight requests within R1_REWARD_SHUTDOWN_TIMEOUT_MS.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/bin/tini", "--", "node", "bin/r1-reward.js"]
CMD ["serve"]
