import { makeTempDir, removeDir, writeFiles } from '../testing/fixtures';
import { lexRust } from './rust-source';
import {
  crateSourcesOnDisk,
  detectHealthRoute,
  detectPort,
  detectRuntimeFiles,
  hasHealthcheckCommand,
  withoutTestModules,
} from './service-sources';

const main = (text: string) => [{ file: 'svc/src/main.rs', text }];
const portOf = (text: string) => detectPort(main(text)).port;

describe('lexRust', () => {
  it('blanks comments (nested ones too), keeps strings and line numbers', () => {
    const lexed = lexRust({ file: 'a.rs', text: 'let a = "x // not a comment"; // bind("0.0.0.0:1")\n/* outer /* inner */ "no" */ let b = r#"raw "q""#;\n' });
    expect(lexed.code).toContain('"x // not a comment"');
    expect(lexed.code).not.toContain('0.0.0.0:1');
    expect(lexed.code).not.toContain('"no"');
    expect(lexed.code.split('\n')).toHaveLength(3);
    expect(lexed.strings.map((s) => s.value)).toEqual(['x // not a comment', 'raw "q"']);
  });

  it("reads '\"' as a char, not as the start of a string, and leaves lifetimes alone", () => {
    const lexed = lexRust({ file: 'a.rs', text: 'fn f<\'a>(s: &\'a str) -> bool { s.ends_with(\'"\') && s == "0.0.0.0:80" }' });
    expect(lexed.strings.map((s) => s.value)).toEqual(['0.0.0.0:80']);
  });
});

describe('detectPort', () => {
  // Spellings from real services (framework examples, tutorials, production code).
  it.each<[string, string, number]>([
    ['warp, an address tuple', 'warp::serve(routes).run(([0, 0, 0, 0], 8000)).await;', 8000],
    ['warp, spaced differently', 'warp::serve(api)\n        .run(([0,0,0,0], 3030))\n        .await', 3030],
    ['axum 0.7, a literal address', 'let listener = tokio::net::TcpListener::bind("0.0.0.0:8080").await.unwrap();', 8080],
    ['axum 0.6, SocketAddr::from', 'let addr = SocketAddr::from(([0, 0, 0, 0], 3000));\naxum::Server::bind(&addr)', 3000],
    ['axum 0.6, a parsed string', 'axum::Server::bind(&"0.0.0.0:3000".parse().unwrap())', 3000],
    ['actix-web, a host and port pair', 'HttpServer::new(|| App::new().service(hello))\n    .bind(("0.0.0.0", 8080))?\n    .run()\n    .await', 8080],
    ['actix-web, an address string', 'HttpServer::new(app).bind("0.0.0.0:8088")?.run().await', 8088],
    ['IPv6 any address', 'let listener = TcpListener::bind("[::]:9000").await?;', 9000],
    ['Ipv4Addr::UNSPECIFIED', 'let addr = SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 7000);', 7000],
    ['std::net paths', 'let addr = std::net::SocketAddr::from((std::net::Ipv4Addr::UNSPECIFIED, 4000));', 4000],
    ['Ipv4Addr::new', 'let addr = SocketAddrV4::new(Ipv4Addr::new(0, 0, 0, 0), 8443);', 8443],
    ['a suffixed literal', 'let addr = SocketAddr::from(([0, 0, 0, 0], 8080u16));', 8080],
    ['PORT with a default', 'let port = std::env::var("PORT").unwrap_or_else(|_| "3000".to_string());\nlet addr = format!("0.0.0.0:{port}");', 3000],
    ['PORT parsed, numeric default', 'let port: u16 = env::var("PORT").ok().and_then(|p| p.parse().ok()).unwrap_or(8000);', 8000],
    ['PORT with String::from', 'let port = env::var("PORT").unwrap_or_else(|_| String::from("5000"));', 5000],
    ['PORT with map_or', 'let port = env::var("PORT").map_or(Ok(8081), |p| p.parse())?;', 8081],
    ['PORT through a const default', 'const DEFAULT_PORT: u16 = 8085;\nfn port() -> u16 {\n    std::env::var("PORT")\n        .ok()\n        .and_then(|value| value.parse().ok())\n        .unwrap_or(DEFAULT_PORT)\n}', 8085],
    ['APP_PORT with a default', 'let port = dotenvy::var("APP_PORT").unwrap_or("8082".into());', 8082],
    ['a const PORT in a bind call', 'const PORT: u16 = 6000;\nlet listener = TcpListener::bind(("0.0.0.0", PORT)).await?;', 6000],
    ['clap with env and default', '#[derive(Parser)]\nstruct Args {\n    #[arg(long, env = "PORT", default_value_t = 8090)]\n    port: u16,\n}', 8090],
    ['clap with a string default', '#[derive(Parser)]\nstruct Cli {\n    /// Port to listen on\n    #[clap(long, default_value = "7070")]\n    port: u16,\n}', 7070],
    ['serde default function', '#[derive(Deserialize)]\nstruct Settings { #[serde(default = "default_port")] port: u16 }\nfn default_port() -> u16 { 9001 }', 9001],
    ['config crate default', 'let settings = Config::builder().set_default("server.port", 8181)?.build()?;', 8181],
    ['env default beats the literal bind of a metrics server', 'let port = env::var("PORT").unwrap_or("8080".into());\nmetrics::serve("0.0.0.0:9090");', 8080],
  ])('%s', (_, code, port) => {
    expect(portOf(`fn main() {\n${code}\n}\n`)).toBe(port);
  });

  it('says where it found the port', () => {
    const detection = detectPort([{ file: 'svc/src/main.rs', text: 'use warp::Filter;\n\n#[tokio::main]\nasync fn main() {\n    warp::serve(routes()).run(([0, 0, 0, 0], 8000)).await;\n}\n' }]);
    expect(detection.source).toEqual(expect.objectContaining({ kind: 'bind', port: 8000, where: 'svc/src/main.rs:5', text: '([0, 0, 0, 0], 8000)' }));
  });

  it('ignores comments, doc examples, test modules, client URLs and other services\' ports', () => {
    expect(
      portOf(
        [
          '/// ```',
          '/// let server = bind("0.0.0.0:1234");',
          '/// ```',
          'fn main() {',
          '    // HttpServer::new(app).bind(("0.0.0.0", 9999))',
          '    let db = env::var("DATABASE_PORT").unwrap_or("5432".into());',
          '    let redis = "redis://127.0.0.1:6379";',
          '    let upstream = "http://localhost:8000/api";',
          '    let pg = ("db.internal", 5432);',
          '}',
          '#[cfg(test)]',
          'mod tests {',
          '    #[test] fn t() { let _ = TcpListener::bind("127.0.0.1:3333"); }',
          '}',
        ].join('\n'),
      ),
    ).toBeUndefined();
  });

  it('finds no port, but the PORT variable, when the binary reads it without a default', () => {
    const detection = detectPort(main('fn main() { let port = std::env::var("PORT").expect("PORT must be set"); }'));
    expect([detection.port, detection.env, detection.conflicting]).toEqual([undefined, 'PORT', []]);
  });

  it('reports two ports of equal weight as a conflict instead of choosing', () => {
    const detection = detectPort([
      { file: 's/src/main.rs', text: 'fn main() { HttpServer::new(app).bind("0.0.0.0:8080"); }' },
      { file: 's/src/admin.rs', text: 'pub fn admin() { TcpListener::bind(("0.0.0.0", 9100)); }' },
    ]);
    expect(detection.port).toBeUndefined();
    // In file order, so the message reads the same every time.
    expect(detection.conflicting.map((e) => [e.port, e.where])).toEqual([
      [9100, 's/src/admin.rs:1'],
      [8080, 's/src/main.rs:1'],
    ]);
  });

  it('flags a server that binds loopback only (unreachable from outside its container)', () => {
    expect(detectPort(main('fn main() { app.listen("127.0.0.1:8080"); }'))).toEqual(expect.objectContaining({ port: 8080, loopbackOnly: true }));
    expect(detectPort(main('fn main() { app.listen("0.0.0.0:8080"); }')).loopbackOnly).toBe(false);
  });

  it('refuses what is not a port', () => {
    expect(portOf('fn main() { TcpListener::bind("0.0.0.0:0"); TcpListener::bind("0.0.0.0:70000"); }')).toBeUndefined();
  });
});

describe('withoutTestModules', () => {
  it('blanks #[cfg(test)] modules, nested braces included, keeping lines', () => {
    const code = 'fn a() {}\n#[cfg(test)]\nmod tests {\n    fn b() { if x { y } }\n}\nfn c() {}\n';
    const out = withoutTestModules(code);
    expect(out).toContain('fn a() {}');
    expect(out).toContain('fn c() {}');
    expect(out).not.toContain('fn b');
    expect(out.split('\n')).toHaveLength(code.split('\n').length);
  });
});

describe('detectHealthRoute', () => {
  it.each<[string, string, string]>([
    ['axum', 'Router::new().route("/", get(root)).route("/healthz", get(health))', '/healthz'],
    ['actix attribute', '#[get("/health")]\nasync fn health() -> impl Responder { HttpResponse::Ok() }', '/health'],
    ['actix resource (zero2prod)', 'App::new().route("/health_check", web::get().to(health_check))', '/health_check'],
    ['warp path!', 'let health = warp::path!("health").map(|| "ok");', '/health'],
    ['warp path segments', 'let ready = warp::path!("api" / "ready").map(|| "ok");', '/api/ready'],
    ['warp path()', 'let live = warp::path("livez").and(warp::get());', '/livez'],
    ['prefers health to ping', '.route("/ping", get(ping)).route("/health", get(health))', '/health'],
    ['a nested route', '.route("/api/v1/status", get(status))', '/api/v1/status'],
  ])('%s', (_, code, path) => {
    expect(detectHealthRoute(main(`fn app() {\n${code}\n}\n`))?.path).toBe(path);
  });

  it('finds none in other routes, URLs or comments', () => {
    expect(detectHealthRoute(main('// .route("/health", get(h))\nfn app() { Router::new().route("/users", get(u)); let _ = "http://x/health"; }'))).toBeUndefined();
  });
});

describe('hasHealthcheckCommand', () => {
  it('is true for a "healthcheck" string in code, not in comments', () => {
    expect(hasHealthcheckCommand(main('fn main() { if args.next().as_deref() == Some("healthcheck") {} }'))).toBe(true);
    expect(hasHealthcheckCommand(main('// run "healthcheck" here\nfn main() {}'))).toBe(false);
  });
});

describe('detectRuntimeFiles', () => {
  const crate = { folders: ['src', 'configuration', 'templates', 'static', 'migrations', 'assets'], files: ['Cargo.toml', 'settings.toml', 'README.md'] };
  const found = (text: string) => detectRuntimeFiles(main(text), crate).map((f) => f.path);

  it.each<[string, string, string[]]>([
    ['zero2prod configuration', 'let dir = std::env::current_dir()?.join("configuration");', ['configuration']],
    ['tera templates', 'let tera = Tera::new("templates/**/*.html")?;', ['templates']],
    ['tower-http ServeDir', 'Router::new().nest_service("/static", ServeDir::new("static"));', ['static']],
    ['actix-files', 'App::new().service(Files::new("/assets", "./assets"))', ['assets']],
    ['migrations read at run time', 'let m = Migrator::new(Path::new("./migrations")).await?;', ['migrations']],
    ['a config file', 'let s = Config::builder().add_source(File::with_name("settings.toml"));', ['settings.toml']],
  ])('%s', (_, code, paths) => {
    expect(found(`fn main() {\n${code}\n}\n`)).toEqual(paths);
  });

  it('leaves out what is compiled in: include_str!, sqlx::migrate!, rust-embed, askama', () => {
    expect(
      found(
        [
          'static INDEX: &str = include_str!("../templates/index.html");',
          'static M: Migrator = sqlx::migrate!("./migrations");',
          '#[derive(RustEmbed)]',
          '#[folder = "static/"]',
          'struct Asset;',
          'fn main() { let css = include_bytes!(concat!("../assets", "/site.css")); }',
        ].join('\n'),
      ),
    ).toEqual([]);
  });

  it('needs both: a folder that exists and a string that names it', () => {
    expect(detectRuntimeFiles(main('fn main() { Tera::new("templates/**/*"); ServeDir::new("public"); }'), { folders: ['src'], files: [] })).toEqual([]);
    expect(found('fn main() { let x = 1; }')).toEqual([]);
  });

  it('says where each was named', () => {
    expect(detectRuntimeFiles(main('fn main() {\n    let dir = base.join("configuration");\n}\n'), crate)).toEqual([
      { path: 'configuration', kind: 'folder', where: 'svc/src/main.rs:2', text: '"configuration"' },
    ]);
  });
});

describe('crateSourcesOnDisk', () => {
  it('reads every .rs file under src/, named from the workspace root', () => {
    const root = makeTempDir();
    try {
      writeFiles(root, { 'svc/src/main.rs': 'fn main() {}\n', 'svc/src/routes/health.rs': 'pub fn h() {}\n', 'svc/README.md': '#', 'svc/tests/t.rs': '' });
      expect(crateSourcesOnDisk(root, 'svc').map((f) => f.file).sort()).toEqual(['svc/src/main.rs', 'svc/src/routes/health.rs']);
      expect(crateSourcesOnDisk(root, 'none')).toEqual([]);
    } finally {
      removeDir(root);
    }
  });
});
