# syntax=docker/dockerfile:1
# The one image of every trail-insight service and the CLI. The Helm chart runs
# `node services/<service>/dist/main.js` in /app as uid 1000 (helm/trail-insight/values.yaml).
# The runtime tree is built by deploy/image/assemble.sh, which libs/testing's
# image-layout integration test also runs and boots services from, without Docker.

FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json .npmrc ./
COPY services/cli/package.json services/cli/package.json
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN bash deploy/image/assemble.sh /app

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app /app
# the image's files stay root-owned and read-only to the process
USER 1000:1000
ENTRYPOINT ["node"]
CMD ["services/cli/bin/trail-insight.js", "--help"]
