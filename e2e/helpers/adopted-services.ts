import { STAND_IN_RUST_IMAGE } from './docker';

/**
 * Services a team already has, written the way people write them (framework README style:
 * a literal bind address, no PORT, no healthcheck subcommand, no SIGTERM handler), for the
 * adopt e2e suite and the stop benchmark: crate name → file (relative to the crate) → text.
 */
export const SERVICES: Record<string, Record<string, string>> = {
  // warp 0.3, as its README starts: ([0, 0, 0, 0], port) and a path! route.
  greeter: {
    'Cargo.toml': '[package]\nname = "greeter"\nversion = "0.3.1"\nedition = "2021"\n\n[dependencies]\nwarp = "0.3"\ntokio = { version = "1", features = ["full"] }\n',
    'src/main.rs': [
      'use warp::Filter;',
      '',
      '#[tokio::main]',
      'async fn main() {',
      '    let hello = warp::path::end().map(|| "hello from greeter");',
      '    let health = warp::path!("healthz").map(|| "ok");',
      '    let routes = warp::get().and(hello.or(health));',
      '    println!("greeter listening on 0.0.0.0:8000");',
      '    warp::serve(routes).run(([0, 0, 0, 0], 8000)).await;',
      '}',
      '',
    ].join('\n'),
  },
  // actix-web 4, reading its settings from configuration/ in its working directory at start
  // (as zero2prod does), and failing without them.
  orders: {
    'Cargo.toml': '[package]\nname = "orders"\nversion = "1.4.0"\nedition = "2021"\n\n[dependencies]\nactix-web = { version = "4", default-features = false, features = ["macros"] }\n',
    'configuration/base.toml': '# read at start by orders\ngreeting = "orders at your service"\n',
    'src/main.rs': [
      'use actix_web::{get, web, App, HttpResponse, HttpServer, Responder};',
      '',
      'struct Settings {',
      '    greeting: String,',
      '}',
      '',
      'fn settings() -> Settings {',
      '    let path = std::env::current_dir().unwrap().join("configuration").join("base.toml");',
      '    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("Failed to read {}: {e}", path.display()));',
      '    let greeting = text',
      '        .lines()',
      '        .find_map(|line| line.strip_prefix("greeting = "))',
      '        .expect("no greeting in configuration/base.toml");',
      '    Settings { greeting: greeting.trim_matches(\'"\').to_string() }',
      '}',
      '',
      '#[get("/health")]',
      'async fn health() -> impl Responder {',
      '    HttpResponse::Ok().body("up")',
      '}',
      '',
      '#[get("/")]',
      'async fn index(settings: web::Data<Settings>) -> impl Responder {',
      '    HttpResponse::Ok().body(settings.greeting.clone())',
      '}',
      '',
      '#[actix_web::main]',
      'async fn main() -> std::io::Result<()> {',
      '    let settings = web::Data::new(settings());',
      '    HttpServer::new(move || App::new().app_data(settings.clone()).service(health).service(index))',
      '        .bind(("0.0.0.0", 8080))?',
      '        .run()',
      '        .await',
      '}',
      '',
    ].join('\n'),
  },
  // axum 0.8, its README example: no health route at all.
  catalog: {
    'Cargo.toml': '[package]\nname = "catalog"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\naxum = "0.8"\ntokio = { version = "1", features = ["full"] }\n',
    'src/main.rs': [
      'use axum::{routing::get, Router};',
      '',
      '#[tokio::main]',
      'async fn main() {',
      '    let app = Router::new().route("/", get(|| async { "Hello, World!" }));',
      '    let listener = tokio::net::TcpListener::bind("0.0.0.0:8080").await.unwrap();',
      '    axum::serve(listener, app).await.unwrap();',
      '}',
      '',
    ].join('\n'),
  },
};

/**
 * A crate that came with its own Dockerfile, written for a build from the workspace root
 * (`COPY . .`, `cargo build`), on base images the team has locally (here the stand-ins).
 */
export const LEGACY: Record<string, string> = {
  'Cargo.toml': '[package]\nname = "legacy"\nversion = "0.9.0"\nedition = "2021"\n\n[dependencies]\nitoa = "1"\n',
  'src/main.rs': [
    'use std::io::{Read, Write};',
    'use std::net::TcpListener;',
    '',
    'fn main() {',
    '    let listener = TcpListener::bind("0.0.0.0:7000").expect("bind");',
    '    let mut served: u64 = 0;',
    '    for stream in listener.incoming() {',
    '        let Ok(mut stream) = stream else { continue };',
    '        let mut buf = [0u8; 1024];',
    '        let _ = stream.read(&mut buf);',
    '        served += 1;',
    '        let body = itoa::Buffer::new().format(served).to_string();',
    '        let _ = write!(stream, "HTTP/1.1 200 OK\\r\\nContent-Length: {}\\r\\nConnection: close\\r\\n\\r\\n{}", body.len(), body);',
    '    }',
    '}',
    '',
  ].join('\n'),
  Dockerfile: [
    `FROM ${STAND_IN_RUST_IMAGE} AS build`,
    'WORKDIR /src',
    'COPY . .',
    'RUN cargo build --release --locked -p legacy',
    '',
    'FROM local/debian:bookworm-slim',
    'COPY --from=build /src/target/release/legacy /usr/local/bin/legacy',
    'EXPOSE 7000',
    'CMD ["legacy"]',
    '',
  ].join('\n'),
};

