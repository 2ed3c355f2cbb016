# zhiwei: the CLI and the verification service (`zhiwei serve --host 0.0.0.0`), on Node 20.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc tsconfig.json tsconfig.build.json ./
COPY src ./src
# the exports' labels come from the pages' vocabulary (web/shared/vocabulary.js and its .d.ts)
COPY web/shared ./web/shared
RUN npm ci --no-audit --no-fund

FROM node:20-bookworm-slim
# fonts-noto-cjk: Chinese text in PDF dossiers and evidence chips
RUN apt-get update \
  && apt-get install -y --no-install-recommends fonts-noto-cjk ca-certificates \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund
COPY --from=build /app/dist ./dist
COPY models ./models
COPY fixtures ./fixtures
# the map review and field pages, served by `zhiwei serve` as they are (no build step)
COPY web ./web
RUN chmod +x dist/cli/bin.js && ln -s /app/dist/cli/bin.js /usr/local/bin/zhiwei
# the embedded database and evidence store live in /data/.zhiwei unless DATABASE_URL is set
WORKDIR /data
EXPOSE 8080
ENTRYPOINT ["zhiwei"]
CMD ["--help"]
