# Quarterdeck as a container: built with cargo-leptos (server, wasm, CSS), run as a non-root
# user on a slim Debian with the binary and the built site only.
#
#   docker build -t quarterdeck .
#   docker run -p 3000:3000 -e QD_SERVER__PUBLIC_URL=https://ops.example.com ... quarterdeck
#
# Configuration comes from QD_… variables (or a file mounted and named by QD_CONFIG); secrets by
# reference (client_secret_env, url_env) to variables the platform injects.

FROM rust:1.95-bookworm AS build
WORKDIR /src
RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm \
 && rm -rf /var/lib/apt/lists/*
RUN rustup target add wasm32-unknown-unknown
# The tool versions the project pins (see README): cargo-leptos 0.3.10 and the wasm-bindgen CLI
# that matches the crate in Cargo.lock.
RUN CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    cargo install cargo-leptos --version 0.3.10 --locked \
 && cargo install wasm-bindgen-cli --version 0.2.130
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN cargo leptos build --release \
 && mkdir -p /out \
 && cp target/release/quarterdeck /out/ \
 && cp -r target/site /out/site

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin quarterdeck \
 && mkdir -p /app/data \
 && chown quarterdeck /app/data
WORKDIR /app
COPY --from=build /out/quarterdeck /usr/local/bin/quarterdeck
COPY --from=build /out/site /app/site
ENV QD_SERVER__LISTEN=0.0.0.0:3000 \
    QD_SERVER__SITE_ROOT=/app/site \
    QD_SERVER__DATABASE_URL=sqlite:///app/data/quarterdeck.db \
    QD_SERVER__LOG_FORMAT=json
USER quarterdeck
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD ["quarterdeck", "healthcheck", "--addr", "127.0.0.1:3000"]
ENTRYPOINT ["quarterdeck"]
CMD ["serve"]
