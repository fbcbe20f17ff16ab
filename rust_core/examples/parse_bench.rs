//! Times the pure-Rust static parser on a repository of `package.py` files
//! (no Python involved): `cargo run --release --example parse_bench -- DIR`.
//! Set `PARSE_ONLY=1` to time only in-memory parsing (for profiling). It also
//! times reading the files alone, the floor of the batched parser.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

use pyrer_core::package_py::{parse_static_package, parse_static_package_files};
use rayon::prelude::*;

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable directory") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            walk(&path, out);
        } else if path.file_name().is_some_and(|n| n == "package.py") {
            out.push(path);
        }
    }
}

fn per_file(start: Instant, n: usize) -> f64 {
    start.elapsed().as_secs_f64() / n as f64 * 1e6
}

fn main() {
    let root = std::env::args().nth(1).expect("usage: parse_bench DIR");
    let mut paths = Vec::new();
    walk(Path::new(&root), &mut paths);
    paths.sort();
    let sources: Vec<String> = paths
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap_or_default())
        .collect();
    let n = paths.len();
    let rounds = if std::env::var_os("PARSE_ONLY").is_some() {
        40
    } else {
        3
    };
    for _ in 0..rounds {
        let t = Instant::now();
        let ok = sources
            .iter()
            .filter(|s| parse_static_package(s).is_ok())
            .count();
        println!(
            "parse      {:.3} µs/file ({ok}/{n} accepted)",
            per_file(t, n)
        );
        if std::env::var_os("PARSE_ONLY").is_some() {
            continue;
        }
        // the floor: reading alone (open, read, read to EOF, close)
        let t = Instant::now();
        let bytes: usize = paths
            .par_iter()
            .map_init(
                || vec![0u8; 16 * 1024],
                |buf, p| {
                    let Ok(mut f) = std::fs::File::open(p) else {
                        return 0;
                    };
                    let n = f.read(buf).unwrap_or(0);
                    n + f.read(&mut buf[n..]).unwrap_or(0)
                },
            )
            .sum();
        println!(
            "read only  {:.3} µs/file on the rayon pool ({bytes} bytes)",
            per_file(t, n)
        );
        let t = Instant::now();
        let ok = parse_static_package_files(&paths)
            .iter()
            .filter(|r| r.is_ok())
            .count();
        println!(
            "read+parse {:.3} µs/file on the rayon pool ({ok})",
            per_file(t, n)
        );
    }
}
