//! Points the embedded web app at `web/dist`, or at a placeholder page when the web app has not
//! been built (so the server always compiles; `scripts/run.sh` builds the real one first).

use std::path::PathBuf;

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("manifest dir"));
    let dist = manifest.join("../../web/dist");
    let dir = if dist.join("index.html").is_file() {
        println!("cargo:rerun-if-changed={}", dist.display());
        dist
    } else {
        // Watching the missing `web/dist` itself would rerun this script, and rebuild the
        // server, on every cargo invocation (cargo counts a missing path as changed). Its parent
        // changes when the web app is built.
        println!(
            "cargo:rerun-if-changed={}",
            manifest.join("../../web").display()
        );
        let out = PathBuf::from(std::env::var("OUT_DIR").expect("out dir")).join("web-placeholder");
        std::fs::create_dir_all(&out).expect("create placeholder dir");
        std::fs::write(
            out.join("index.html"),
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>support-chat</title></head>\
             <body style=\"background:#0f1115;color:#e6e8ee;font-family:sans-serif\"><main><h1>support-chat</h1>\
             <p>The web app was not built into this binary. Run <code>scripts/run.sh</code> (or \
             <code>npm ci &amp;&amp; npm run build</code> in <code>web/</code>, then rebuild).</p>\
             <p>The API is up: see <a href=\"/api/docs\">/api/docs</a>.</p></main></body></html>",
        )
        .expect("write placeholder");
        out
    };
    println!("cargo:rustc-env=SC_WEB_DIST={}", dir.display());
}
