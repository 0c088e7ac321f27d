# syntax=docker/dockerfile:1
# Either service: one compiled executable on an empty base. Build from the repository root, which holds the
# workspace lockfile, naming the service (compose.yaml and scripts/images do):
#   docker build --build-arg SERVICE=auth --build-arg PORT=3001 -t chirp-auth .
#   docker build --build-arg SERVICE=post --build-arg PORT=3002 -t chirp-post .
#
# Expected size ~117-123 MB (budget 130 MB, the specification's; ~40 MB compressed in a registry): the
# executable is ~112-117 MB, of which ~107 MB is the Bun runtime itself and the rest the minified bundle and
# its source map; glibc adds 3.1 MB and a static busybox (as wget, for health checks) 1.1 MB. Any Debian base is too big beside Bun:
# distroless base-nossl would add ~14 MB, cc ~23 MB, debian:12-slim ~75 MB.
#
# No HEALTHCHECK here: its exec form (there is no shell) cannot read the port, so each service's check lives
# beside its port in compose.yaml (`/usr/bin/wget -q -O /dev/null http://127.0.0.1:PORT/readyz`), and
# Kubernetes probes over HTTP itself (deploy/k8s).

FROM oven/bun:1.4.5 AS build
ARG SERVICE
WORKDIR /src
# Manifests first: the dependency layer is reused until a manifest, a patch or the lockfile changes, and is
# the same for both services. bench/ and e2e/ are left out on purpose (bun skips a workspace that is not on
# disk, and the frozen lockfile still holds).
COPY package.json bun.lock bunfig.toml ./
COPY patches/ patches/
COPY contracts/package.json contracts/
COPY platform/package.json platform/
COPY client/package.json client/
COPY auth/package.json auth/
COPY post/package.json post/
RUN bun install --frozen-lockfile --production
COPY tsconfig.json ./
COPY scripts/compile-service scripts/image-rootfs scripts/
COPY contracts/src contracts/src
COPY platform/src platform/src
COPY client/src client/src
COPY ${SERVICE}/ ${SERVICE}/
RUN test -n "${SERVICE}" || { echo "build with --build-arg SERVICE=auth|post" >&2; exit 1; } \
  && bash scripts/compile-service "${SERVICE}" /out/service && bash scripts/image-rootfs /out/service /rootfs

# Statically linked (musl), so it needs nothing from the root it lands in.
FROM busybox:1.37-musl AS wget

FROM scratch
ARG PORT
COPY --from=build /rootfs/ /
# busybox picks its applet from the name it is called by: this one is only wget. The image has no shell.
COPY --from=wget /bin/busybox /usr/bin/wget
# Numeric, so Kubernetes' runAsNonRoot can check it without reading /etc/passwd.
USER 65532:65532
WORKDIR /app
ENV NODE_ENV=production PORT=${PORT}
EXPOSE ${PORT}
STOPSIGNAL SIGTERM
ENTRYPOINT ["/app/service"]
