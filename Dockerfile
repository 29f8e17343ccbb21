# Jiaoying: all apps in one image; `up` runs migrations, loads the demo and starts every app.
FROM node:20-bookworm-slim AS build
WORKDIR /app
ENV SCARF_ANALYTICS=false
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
WORKDIR /app
# Source tree is kept next to dist/: runtime files such as config/*.json are read relative to /app.
COPY --from=build --chown=node:node /app /app
USER node
EXPOSE 3000 3100
CMD ["node", "dist/apps/cli/src/main.js", "up"]
