# Jiaoying: all apps in one image, built once. `up` (the default) is the demo: migrations, the demo district, every app.
# Production runs one app per container: `node dist/apps/cli/src/main.js serve <api|matcher|dispatcher|escalator|ingestor>`.
FROM node:20-bookworm-slim AS build
WORKDIR /app
ENV SCARF_ANALYTICS=false
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY console/package.json console/package-lock.json ./console/
RUN npm --prefix console install --no-audit --no-fund
COPY . .
# The duty desk is built into console/dist, which the api serves at /console/; its packages are not needed after.
RUN npm run build && npm --prefix console run build && rm -rf console/node_modules && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
# The Chinese font the 复盘 PDF embeds (PDF_FONT_FILE).
RUN apt-get update && apt-get install -y --no-install-recommends fonts-wqy-microhei && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# Source tree is kept next to dist/: runtime files such as config/*.json are read relative to /app.
COPY --from=build --chown=node:node /app /app
USER node
EXPOSE 3000 3100
CMD ["node", "dist/apps/cli/src/main.js", "up"]
