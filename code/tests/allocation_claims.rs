//! Every `[[allocations]]` claim in `benches/<chapter>.claims.toml`, checked with dhat.
//!
//! dhat allows one profiler per process, so this file holds a single test that checks
//! every claim of every chapter. Counts are deterministic: the same code makes the same
//! allocations on every run, so there is no tolerance here (unlike the speed claims).

use std::collections::BTreeSet;
use std::path::Path;

use serde::Deserialize;
use workshop::CHAPTERS;
use workshop::measure::AllocRunner;

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

#[derive(Deserialize)]
struct ClaimsFile {
    #[serde(default)]
    allocations: Vec<AllocationClaim>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AllocationClaim {
    case: String,
    at_most: Option<f64>,
    at_least: Option<f64>,
    why: String,
}

impl AllocationClaim {
    fn broken_by(&self, measured: f64) -> bool {
        self.at_most.is_some_and(|max| measured > max)
            || self.at_least.is_some_and(|min| measured < min)
    }
}

fn claims_of(chapter: &str) -> Vec<AllocationClaim> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("benches/{chapter}.claims.toml"));
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Vec::new();
    };
    let file: ClaimsFile =
        toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    file.allocations
}

#[test]
fn allocation_claims_hold() {
    let _profiler = dhat::Profiler::builder()
        .testing()
        .trim_backtraces(Some(4))
        .build();
    let mut failures = Vec::new();
    let mut checked = 0;

    for chapter in CHAPTERS {
        let claims = claims_of(chapter.name);
        if claims.is_empty() {
            continue;
        }
        let wanted: BTreeSet<String> = claims
            .iter()
            .map(|c| format!("{}/{}", chapter.name, c.case))
            .collect();

        let measure = |ids: &BTreeSet<String>| {
            let filter = ids.clone();
            let mut runner =
                AllocRunner::new(chapter.name).only(move |id| filter.contains(id));
            // A quarter of the allocation pass's time per case (a case still runs at least
            // once after its warm-up): a count per call is the same on every call, except
            // where a claim says how rarely an allocation recurs (one per 63 rayon jobs),
            // which a 50 ms run still sees many times over.
            runner.budget = std::time::Duration::from_millis(50);
            (chapter.alloc_cases)(&mut runner);
            runner.records
        };
        // Only the claimed cases run (inputs are still built: a chapter's `cases` makes them
        // before it names its cases), so a claimed id that made no record names no case.
        let mut records = measure(&wanted);
        for id in &wanted {
            if !records.iter().any(|r| &r.id == id) {
                failures.push(format!(
                    "{id}: no such case (claims name cases of code/src/{}.rs)",
                    chapter.name
                ));
            }
        }
        // dhat counts the allocations of every thread, and a thread that is not the case's
        // (a pool worker starting up or shutting down, the test harness) can allocate during a
        // measurement. A case that breaks its claim is measured again, after a pause that lets
        // such threads finish (on a loaded machine a dying pool's threads ran on into three
        // measurements in a row: `tracing/one_span/registry` counted 2 allocations in 1000
        // calls each time, 0 when quiet), and judged by its lowest count: its own allocations
        // recur every time, a stray one does not.
        for _ in 0..3 {
            let off: BTreeSet<String> = claims
                .iter()
                .filter(|c| {
                    let id = format!("{}/{}", chapter.name, c.case);
                    records
                        .iter()
                        .any(|r| r.id == id && c.broken_by(r.allocs_per_op))
                })
                .map(|c| format!("{}/{}", chapter.name, c.case))
                .collect();
            if off.is_empty() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(500));
            for again in measure(&off) {
                if let Some(r) = records.iter_mut().find(|r| r.id == again.id) {
                    r.allocs_per_op = r.allocs_per_op.min(again.allocs_per_op);
                }
            }
        }

        for claim in &claims {
            let id = format!("{}/{}", chapter.name, claim.case);
            let Some(record) = records.iter().find(|r| r.id == id) else {
                continue; // reported above
            };
            checked += 1;
            let measured = record.allocs_per_op;
            assert!(
                claim.at_most.is_some() || claim.at_least.is_some(),
                "{id}: a claim needs at_most or at_least"
            );
            if let Some(max) = claim.at_most {
                if measured > max {
                    failures.push(format!(
                        "{id}: {measured} allocations per call, claimed at most {max} ({})",
                        claim.why
                    ));
                }
            }
            if let Some(min) = claim.at_least {
                if measured < min {
                    failures.push(format!(
                        "{id}: {measured} allocations per call, claimed at least {min} ({})",
                        claim.why
                    ));
                }
            }
        }
    }

    assert!(
        failures.is_empty(),
        "allocation claims failed:\n{}",
        failures.join("\n")
    );
    assert!(
        checked > 0,
        "no allocation claim was checked: are the claims files in code/benches/?"
    );
}
