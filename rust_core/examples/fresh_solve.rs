//! One request's solve as a fresh process makes it through a `pyrer@`
//! repository, without Python: families listed, stamped and read from the
//! memo (or parsed) as the native loader does, then solved. Prints where
//! the time went, for profiling the fresh path (issue 12).
//!
//!     cargo run --release -p pyrer_core --example fresh_solve -- REPO MEMO_DIR REQ...

use std::sync::Arc;
use std::time::{Duration, Instant};

use pyrer_core::algebra::range::VersionRange;
use pyrer_core::memo::{self, LayoutSettings, ServeOptions, Store};
use pyrer_core::package::Package;
use pyrer_core::solver::{self, FamilyLoader, VariantSelectMode};
use rustc_hash::FxHashMap as HashMap;

struct Loader {
    store: Option<Arc<Store>>,
    prefetch: Option<memo::Prefetcher>,
    location: std::path::PathBuf,
    settings: LayoutSettings,
    load_time: Duration,
    layout_time: Duration,
    serve_time: Duration,
    build_time: Duration,
    loaded: Vec<Arc<Package>>,
}

impl Loader {
    fn new(
        store: Option<Arc<Store>>,
        location: std::path::PathBuf,
        prefetch: Option<memo::Prefetcher>,
    ) -> Loader {
        Loader {
            store,
            prefetch,
            location,
            settings: LayoutSettings::default(),
            load_time: Duration::ZERO,
            layout_time: Duration::ZERO,
            serve_time: Duration::ZERO,
            build_time: Duration::ZERO,
            loaded: Vec::new(),
        }
    }

    fn want(&mut self, packages: &[Arc<Package>]) {
        if let Some(p) = self.prefetch.as_mut() {
            p.want(
                packages
                    .iter()
                    .flat_map(|pkg| pkg.data.requires().chain(pkg.data.variants().flatten())),
            );
        }
    }

    fn prefetcher(
        store: Option<Arc<Store>>,
        location: std::path::PathBuf,
    ) -> Option<memo::Prefetcher> {
        std::env::var_os("FRESH_SOLVE_PREFETCH")?;
        let store = store?;
        let settings = LayoutSettings::default();
        Some(memo::Prefetcher::new(Box::new(
            move |name: &str, range: Option<&VersionRange>| {
                let options = ServeOptions {
                    defer_writes: true,
                    ..ServeOptions::default()
                };
                memo::load_ahead(&store, &location, name, range, &settings, options)
            },
        )))
    }
}

impl FamilyLoader for Loader {
    fn load(
        &mut self,
        name: &str,
        range: Option<&VersionRange>,
    ) -> Result<Vec<Arc<Package>>, String> {
        let t = Instant::now();
        if let Some(load) = self
            .prefetch
            .as_ref()
            .and_then(|p| p.take(name, range).ok())
        {
            let shared: Arc<str> = name.into();
            let packages: Vec<Arc<Package>> = load
                .packages
                .into_iter()
                .filter(|(_, v)| range.is_none_or(|r| r.contains_version(v.as_ref().unwrap())))
                .map(|(data, v)| {
                    Arc::new(Package::with_shared_name(data, v.unwrap(), shared.clone()))
                })
                .collect();
            self.want(&packages);
            self.loaded.extend(packages.iter().cloned());
            self.load_time += t.elapsed();
            return Ok(packages);
        }
        let notices = std::cell::RefCell::new(Vec::new());
        let listings = self.store.as_deref().map(|store| memo::ListingMemo {
            store,
            defer_writes: false,
            notices: &notices,
        });
        let layout =
            memo::family_layout(&self.location, name, range, &self.settings, listings, false);
        self.layout_time += t.elapsed();
        let t1 = Instant::now();
        let files: Vec<memo::FamilyFile> = match layout {
            Ok(memo::FamilyLayout::Packages(found)) => {
                let family: Arc<str> = name.into();
                found
                    .into_iter()
                    .map(|file| memo::FamilyFile {
                        family: family.clone(),
                        file,
                    })
                    .collect()
            }
            _ => Vec::new(),
        };
        let (outcomes, _, _) =
            memo::serve_files(self.store.as_deref(), &files, ServeOptions::default());
        self.serve_time += t1.elapsed();
        let t2 = Instant::now();
        let shared: Arc<str> = name.into();
        let packages: Vec<Arc<Package>> = files
            .into_iter()
            .zip(outcomes)
            .filter_map(|(ff, o)| match o {
                memo::Outcome::MemoHit(d) | memo::Outcome::Parsed(d) => {
                    Some((d, ff.file.parsed_version))
                }
                _ => None,
            })
            .map(|(data, v)| {
                Arc::new(Package::with_shared_name(
                    data,
                    v.expect("versioned"),
                    shared.clone(),
                ))
            })
            .collect();
        self.want(&packages);
        self.loaded.extend(packages.iter().cloned());
        self.build_time += t2.elapsed();
        self.load_time += t.elapsed();
        Ok(packages)
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (repo, memo_dir, request) = (&args[0], &args[1], &args[2..]);
    let t0 = Instant::now();
    let store = Store::open(std::path::Path::new(memo_dir), 1 << 30)
        .ok()
        .map(Arc::new);
    let open = t0.elapsed();
    let prefetch = Loader::prefetcher(store.clone(), repo.into());
    let mut loader = Loader::new(store, repo.into(), prefetch);
    let t = Instant::now();
    let outcome = solver::solve(
        request,
        &HashMap::default(),
        &mut loader,
        VariantSelectMode::VersionPriority,
    );
    let solve = t.elapsed();
    let read = loader
        .loaded
        .iter()
        .filter(|p| p.requirements_read())
        .count();
    println!(
        "{} variants={} open={:.2}ms solve={:.2}ms load={:.2}ms layout={:.2}ms serve={:.2}ms build={:.2}ms loaded={} read={}",
        outcome.status.as_str(),
        outcome.variants.len(),
        open.as_secs_f64() * 1e3,
        solve.as_secs_f64() * 1e3,
        loader.load_time.as_secs_f64() * 1e3,
        loader.layout_time.as_secs_f64() * 1e3,
        loader.serve_time.as_secs_f64() * 1e3,
        loader.build_time.as_secs_f64() * 1e3,
        loader.loaded.len(),
        read
    );
    if std::env::var_os("FRESH_SOLVE_AGAIN").is_some() {
        // the same packages, their requirements merged: an in-memory solve
        let mut seed: HashMap<String, Vec<Arc<Package>>> = HashMap::default();
        for p in &loader.loaded {
            seed.entry(p.name.to_string()).or_default().push(p.clone());
        }
        for v in seed.values_mut() {
            v.sort_by(|a, b| b.version.cmp(&a.version));
        }
        let t = Instant::now();
        let again = solver::solve(
            request,
            &seed,
            &mut solver::NoLoader,
            VariantSelectMode::VersionPriority,
        );
        println!(
            "again (in memory): {:.2}ms {}",
            t.elapsed().as_secs_f64() * 1e3,
            again.status.as_str()
        );
        let reloads: usize = std::env::var("FRESH_SOLVE_RELOADS")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(1);
        let store = loader.store.take();
        let mut second = Loader::new(store, loader.location.clone(), None);
        for _ in 0..reloads {
            second.loaded.clear();
            second.load_time = Duration::ZERO;
            let t = Instant::now();
            let o = solver::solve(
                request,
                &HashMap::default(),
                &mut second,
                VariantSelectMode::VersionPriority,
            );
            println!(
                "reloaded: {:.2}ms load={:.2}ms {}",
                t.elapsed().as_secs_f64() * 1e3,
                second.load_time.as_secs_f64() * 1e3,
                o.status.as_str()
            );
        }
    }
}
