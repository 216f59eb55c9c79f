# Image for the worker and the API (docker-compose.yml runs it twice with different commands).
#   docker build -t retail-ops .
#   docker run retail-ops node --import tsx workers/main.ts     # = npx tsx workers/main.ts
# TypeScript runs through tsx, as in development: no separate build step to drift from the source.
# NODE_ENV=production: the API and the worker refuse to start without UNSUBSCRIBE_SECRETS. The image
# holds no secret and no principal; prisma/seed.ts adds the demo principals (published keys) only
# with RETAIL_OPS_DEMO=true or --demo, and scripts/create-principal.ts makes real ones.
FROM node:20-bookworm-slim

RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first (cached while only the source changes). Dev dependencies are needed at run
# time: tsx runs the TypeScript, and the prisma CLI generates the client below.
# (npm install only if the lockfile is out of sync with package.json, which npm ci refuses.)
COPY package.json package-lock.json ./
RUN (npm ci --include=dev --no-audit --no-fund || npm install --include=dev --no-audit --no-fund) \
 && npm cache clean --force

COPY . .
RUN bash scripts/prisma-generate.sh \
 && node --import tsx scripts/build-workflow-bundle.ts /app/.data/workflow-bundle.js \
 && chown -R node:node /app

# The worker loads the workflow bundle built above instead of bundling at every start.
ENV NODE_ENV=production \
    WORKFLOW_BUNDLE_PATH=/app/.data/workflow-bundle.js \
    HOST=0.0.0.0 \
    PORT=3000 \
    NODE_OPTIONS=--enable-source-maps

USER node
EXPOSE 3000

# The API by default; docker-compose.yml sets the command of each service.
CMD ["node", "--import", "tsx", "api/main.ts"]
