# callguard: build the TypeScript once, ship only dist/ and the production dependencies.

FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# The web console's sources; the build bundles them into dist/console, which the API serves at /.
COPY console ./console
COPY scripts/copy-lua.mjs scripts/build-console.mjs ./scripts/
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build --chown=root:root /app/package.json ./
COPY --from=build --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
# The image's own unprivileged user; the code is root-owned, so it cannot rewrite itself.
USER node
# /healthz, /readyz and /metrics (CALLGUARD_HEALTH).
EXPOSE 9464
ENTRYPOINT ["node", "dist/cli/main.js"]
CMD ["serve"]
