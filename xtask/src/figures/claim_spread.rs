//! `cargo xtask figures claim_spread`: how far a speed claim's measured ratio moves from one quick
//! run to the next, on a quiet machine and with a busy neighbour — the measurement behind the
//! tolerance `cargo xtask check` allows (`claims::TOLERANCE`). Runs every chapter's speed claims
//! as `check` does (one quick criterion run per chapter, both cases side by side), `ROUNDS` times;
//! in the loaded rounds a thread of this process spins on one of the cores for the whole run.
//! Writes `results/figures/claim_spread.json` and `src/generated/figures/claim_spread.md`
//! (anchors `claims`, `summary`). The Benchmarking chapter shows them. The table is rendered
//! against the claims files as they are now (`cargo xtask render` re-renders it, see
//! [`rerender`]): a claim withdrawn or changed since the runs says so.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Deserialize, Serialize};

use super::{Stamp, anchored, read, write_generated, write_results};
use crate::claims::{self, TOLERANCE};
use crate::render::{DASH, escape};
use crate::{Repo, Result};

const NAME: &str = "claim_spread";

/// Rounds without and with a busy neighbour. Two of each: enough to see the spread of a quick
/// run, and a full set of rounds takes about half an hour on 2 cores.
const QUIET_ROUNDS: usize = 2;
const LOADED_ROUNDS: usize = 2;

#[derive(Debug, Serialize, Deserialize)]
struct Results {
    stamp: Stamp,
    tolerance: f64,
    claims: Vec<ClaimSpread>,
}

#[derive(Debug, Serialize, Deserialize)]
struct ClaimSpread {
    chapter: String,
    fast: String,
    slow: String,
    at_least: f64,
    tolerance: f64,
    /// slow/fast of each quiet round, then of each loaded round (None: no time reported).
    quiet: Vec<Option<f64>>,
    loaded: Vec<Option<f64>>,
}

impl ClaimSpread {
    fn all(&self) -> impl Iterator<Item = f64> + '_ {
        self.quiet.iter().chain(&self.loaded).flatten().copied()
    }

    /// The lowest ratio of any round over the median of all rounds: how far one quick run
    /// fell below what the claim usually measures.
    fn worst_drop(&self) -> Option<f64> {
        let mut all: Vec<f64> = self.all().collect();
        if all.is_empty() {
            return None;
        }
        all.sort_by(f64::total_cmp);
        let median = if all.len() % 2 == 0 {
            (all[all.len() / 2 - 1] + all[all.len() / 2]) / 2.0
        } else {
            all[all.len() / 2]
        };
        Some(all[0] / median)
    }
}

/// A thread that keeps one core busy until dropped.
struct BusyNeighbour {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl BusyNeighbour {
    fn start() -> BusyNeighbour {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            let mut x = 0u64;
            while !flag.load(Ordering::Relaxed) {
                for i in 0..10_000u64 {
                    x = std::hint::black_box(
                        x.wrapping_mul(6364136223846793005).wrapping_add(i),
                    );
                }
            }
        });
        BusyNeighbour {
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for BusyNeighbour {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

pub fn run(repo: &Repo, stamp: &Stamp) -> Result {
    let target = repo.target_dir()?;
    let chapters = claims::speed_claims(repo)?;
    let mut spreads: Vec<ClaimSpread> = chapters
        .iter()
        .flat_map(|(chapter, claims)| {
            claims.iter().map(move |c| ClaimSpread {
                chapter: chapter.clone(),
                fast: c.fast.clone(),
                slow: c.slow.clone(),
                at_least: c.at_least,
                tolerance: c.tolerance(),
                quiet: Vec::new(),
                loaded: Vec::new(),
            })
        })
        .collect();
    for round in 0..QUIET_ROUNDS + LOADED_ROUNDS {
        let loaded = round >= QUIET_ROUNDS;
        println!(
            "\n--- claim_spread: round {} of {} ({}) ---",
            round + 1,
            QUIET_ROUNDS + LOADED_ROUNDS,
            if loaded {
                "one core kept busy"
            } else {
                "quiet"
            }
        );
        let _neighbour = loaded.then(BusyNeighbour::start);
        let mut next = spreads.iter_mut();
        for (chapter, claims) in &chapters {
            let run = claims::quick_run(repo, chapter, claims, &target)?;
            for (fast, slow) in run.times {
                let spread = next.next().expect("one spread per claim");
                let ratio = fast.zip(slow).map(|(f, s)| s / f);
                if loaded {
                    spread.loaded.push(ratio);
                } else {
                    spread.quiet.push(ratio);
                }
            }
        }
    }
    let results = Results {
        stamp: stamp.clone(),
        tolerance: TOLERANCE,
        claims: spreads,
    };
    write_results(repo, NAME, &results)?;
    let current = claims::speed_claims(repo)?;
    write_generated(repo, NAME, &render(&results, &current))
}

/// Renders the stored runs again against the claims files as they are now, so that editing a
/// claim (or withdrawing one) updates the figure without half an hour of measuring. Nothing to
/// do before the first run.
pub fn rerender(repo: &Repo) -> Result {
    let path = repo.root.join(format!("results/figures/{NAME}.json"));
    if !path.exists() {
        return Ok(());
    }
    let results: Results = serde_json::from_str(&read(&path)?)
        .map_err(|e| crate::fail(format!("{}: {e}", repo.show(&path))))?;
    let current = claims::speed_claims(repo)?;
    write_generated(repo, NAME, &render(&results, &current))
}

fn ratios(values: &[Option<f64>]) -> String {
    let shown: Vec<String> = values
        .iter()
        .map(|v| v.map_or(DASH.to_string(), |r| format!("{r:.2}")))
        .collect();
    shown.join(", ")
}

/// The claim a measured row belongs to today: `(at_least, tolerance)`, or `None` if withdrawn.
fn current_claim(
    c: &ClaimSpread,
    current: &[(String, Vec<claims::Faster>)],
) -> Option<(f64, f64)> {
    current
        .iter()
        .filter(|(chapter, _)| *chapter == c.chapter)
        .flat_map(|(_, claims)| claims)
        .find(|f| f.fast == c.fast && f.slow == c.slow)
        .map(|f| (f.at_least, f.tolerance()))
}

fn render(r: &Results, current: &[(String, Vec<claims::Faster>)]) -> String {
    let mut table = String::from(
        "| chapter | claim: `fast` vs `slow` | claimed | passes from | quiet runs | with a busy core | lowest run / median |\n\
         | :-- | :-- | --: | --: | :-- | :-- | --: |\n",
    );
    let mut worst: Option<(f64, &ClaimSpread)> = None;
    let (mut failing, mut withdrawn) = (0, 0);
    for c in &r.claims {
        let drop = c.worst_drop();
        if let Some(d) = drop
            && worst.is_none_or(|(w, _)| d < w)
        {
            worst = Some((d, c));
        }
        // The spread of a withdrawn claim's runs still says how far a quick run moves; only
        // the pass mark is gone.
        let (claimed, passes_from) = match current_claim(c, current) {
            Some((at_least, tolerance)) => {
                let pass_mark = at_least * (1.0 - tolerance);
                if c.all().any(|ratio| ratio < pass_mark) {
                    failing += 1;
                }
                let claimed = if at_least == c.at_least {
                    format!("{at_least}×")
                } else {
                    format!("{at_least}× ({}× when run)", c.at_least)
                };
                (claimed, format!("{pass_mark:.2}×"))
            }
            None => {
                withdrawn += 1;
                (
                    format!("withdrawn ({}× when run)", c.at_least),
                    DASH.to_string(),
                )
            }
        };
        table.push_str(&format!(
            "| {} | `{}` vs `{}` | {} | {} | {} | {} | {} |\n",
            escape(&c.chapter),
            c.fast,
            c.slow,
            claimed,
            passes_from,
            ratios(&c.quiet),
            ratios(&c.loaded),
            drop.map_or(DASH.to_string(), |d| format!("{:.0}%", d * 100.0)),
        ));
    }
    let measured = |chapter: &str, f: &claims::Faster| {
        r.claims
            .iter()
            .any(|c| c.chapter == chapter && c.fast == f.fast && c.slow == f.slow)
    };
    let added = current
        .iter()
        .flat_map(|(chapter, claims)| {
            claims.iter().filter(move |f| !measured(chapter, f))
        })
        .count();
    let summary = match worst {
        Some((d, c)) => format!(
            "Over {} claims and {} rounds, the lowest single run fell to {:.0}% of its claim's \
             median ratio ({} `{}` vs `{}`); the check allows a fall to {:.0}% of the claimed \
             ratio, and claims are written below the ratio usually measured. Claims still made \
             that had a run below their pass mark: {failing}. Withdrawn since these runs: \
             {withdrawn}; added since, not in these runs: {added}.",
            r.claims.len(),
            QUIET_ROUNDS + LOADED_ROUNDS,
            d * 100.0,
            escape(&c.chapter),
            c.fast,
            c.slow,
            (1.0 - r.tolerance) * 100.0,
        ),
        None => "No claim was measured.".to_string(),
    };
    format!(
        "<!-- Generated by `cargo xtask figures {NAME}` from results/figures/{NAME}.json, \
         against the claims files as they are now (`cargo xtask render`). Do not edit. -->\n{}\n{}",
        anchored("claims", &table, &r.stamp),
        anchored("summary", &summary, &r.stamp),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worst_drop_is_lowest_over_median() {
        let c = ClaimSpread {
            chapter: "ch".into(),
            fast: "a".into(),
            slow: "b".into(),
            at_least: 2.0,
            tolerance: 0.25,
            quiet: vec![Some(4.0), Some(5.0)],
            loaded: vec![Some(3.0), None],
        };
        assert_eq!(c.worst_drop(), Some(0.75));
        assert_eq!(ratios(&c.loaded), "3.00, —");
    }

    fn spread(fast: &str, at_least: f64, quiet: f64) -> ClaimSpread {
        ClaimSpread {
            chapter: "ch".into(),
            fast: fast.into(),
            slow: "slow".into(),
            at_least,
            tolerance: 0.25,
            quiet: vec![Some(quiet)],
            loaded: vec![],
        }
    }

    fn claim(fast: &str, at_least: f64) -> claims::Faster {
        toml::from_str(&format!(
            "fast = \"{fast}\"\nslow = \"slow\"\nat_least = {at_least}\nwhy = \"test\""
        ))
        .unwrap()
    }

    #[test]
    fn the_table_follows_the_claims_files_as_they_are_now() {
        let results = Results {
            stamp: Stamp {
                command: "x".into(),
                machine: crate::bench::Machine::default(),
                date: "d".into(),
                commit: "c".into(),
                dirty: false,
                build: None,
            },
            tolerance: 0.25,
            // `kept` passes; `changed` was claimed at 2 and is now claimed at 4, and its run
            // (2.5) is below 4 × 0.75; `gone` failed but is no longer claimed.
            claims: vec![
                spread("kept", 2.0, 3.0),
                spread("changed", 2.0, 2.5),
                spread("gone", 2.0, 1.0),
            ],
        };
        let current = vec![(
            "ch".to_string(),
            vec![claim("kept", 2.0), claim("changed", 4.0), claim("new", 2.0)],
        )];
        let text = render(&results, &current);
        assert!(text.contains("| 4× (2× when run) | 3.00× |"), "{text}");
        assert!(text.contains("| withdrawn (2× when run) | — |"), "{text}");
        assert!(text.contains("below their pass mark: 1."), "{text}");
        assert!(text.contains(
            "Withdrawn since these runs: 1; added since, not in these runs: 1."
        ));
    }
}
