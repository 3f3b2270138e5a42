# syntax=docker/dockerfile:1
# Builds with only the npm registry and Debian's packages reachable (README, Docker). The base image
# can be swapped for a mirrored one: --build-arg NODE_IMAGE=registry.example/node:20-bookworm-slim.
ARG NODE_IMAGE=node:20-bookworm-slim

# Build stage: compiles TypeScript and the better-sqlite3 native addon, then keeps production
# dependencies only.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
# better-sqlite3 is compiled here against the headers this node ships with (npm_config_nodedir), so
# neither its prebuilt binary nor node-gyp's headers are fetched from outside the npm registry.
ENV npm_config_build_from_source=true
COPY package.json package-lock.json ./
RUN export npm_config_nodedir="$(node -p 'require("path").resolve(process.execPath, "../..")')" \
 && test -f "$npm_config_nodedir/include/node/node.h" \
 && npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ormconfig.ts ./
COPY src ./src
# typescript, ts-node and @types/node are optional peers of typeorm: `--omit=dev` alone keeps them.
# The addon's objects, sources and SQLite's amalgamation are build leftovers: only the .node is loaded.
RUN npm run build \
 && npm prune --omit=dev --omit=optional --no-audit --no-fund \
 && cd node_modules/better-sqlite3 \
 && mv build/Release/better_sqlite3.node /tmp/ \
 && rm -rf build deps src \
 && mkdir -p build/Release \
 && mv /tmp/better_sqlite3.node build/Release/ \
 && node -e "new (require('/app/node_modules/better-sqlite3'))(':memory:').close()"

# Runtime stage: no compiler, no sources, a non-root user, the data directory as a volume.
FROM ${NODE_IMAGE}
# DATABASE_URL defaults to sqlite:./data/merecharge.sqlite, which is /app/data here; set it, or the
# DATABASE_HOST/USER/PASSWORD/NAME parts, for PostgreSQL.
ENV NODE_ENV=production \
    PORT=3000
WORKDIR /app
RUN mkdir -p /app/data && chown node:node /app/data
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
USER node
VOLUME ["/app/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD node -e "require('http').get('http://127.0.0.1:'+(process.env.PORT||3000)+'/health/live',r=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1))"
# SIGTERM drains the requests in flight and flushes the logs (give it 60 s or more: docker stop -t 75).
# A bounded heap: V8 collects before the process grows past it (the live set is far smaller).
CMD ["node", "--max-old-space-size=256", "dist/src/main.js"]
