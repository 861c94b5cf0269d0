//! `cargo xtask figures asm`: machine code the chapters show, printed by cargo-show-asm
//! (`cargo asm`) from the workshop library built with the bench profile's settings (the
//! `asm` profile of Cargo.toml, which inherits them), the build its benches measure. Writes `results/figures/asm.json` and `src/generated/figures/asm.md`
//! (one anchor per listing, and one per pair of functions the text says compile alike).
//!
//! Why cargo-show-asm: it builds the crate with `--emit asm` through cargo, finds one
//! function in the output by its Rust path and prints it alone, demangled; the alternative is
//! `objdump` on a binary and a symbol search written here.

use std::process::Command;

use serde::{Deserialize, Serialize};

use super::{Stamp, anchored, output, write_generated, write_results};
use crate::{Repo, Result, fail};

const NAME: &str = "asm";

/// (anchor, function as `cargo asm` names it, what it is).
const LISTINGS: &[(&str, &str, &str)] = &[
    (
        "defer_guard_scope",
        "workshop::locks::add_guard_scope",
        "the guard dropped at the end of its scope",
    ),
    (
        "defer_explicit_drop",
        "workshop::locks::add_explicit_drop",
        "the guard dropped by hand",
    ),
    (
        "count_keys_loop",
        "workshop::false_sharing::count_keys_loop",
        "counts by key with a `for` loop",
    ),
    (
        "count_keys_fold",
        "workshop::false_sharing::count_keys_fold",
        "counts by key with `Iterator::fold`",
    ),
    (
        "cells_refcell_each",
        "workshop::wrapper_types::add_refcell_each",
        "a `RefCell` borrowed for each element",
    ),
    (
        "cells_refcell_once",
        "workshop::wrapper_types::add_refcell_once",
        "a `RefCell` borrowed once for the loop",
    ),
    (
        "cells_cell",
        "workshop::wrapper_types::add_cells",
        "through `&[Cell<u64>]`",
    ),
    (
        "cells_plain",
        "workshop::wrapper_types::add_plain",
        "through `&mut [u64]`",
    ),
    (
        "bc_add_indexed",
        "workshop::bounds_checks::add_indexed",
        "indexed",
    ),
    (
        "bc_add_asserted",
        "workshop::bounds_checks::add_asserted",
        "indexed after one `assert!`",
    ),
    (
        "bc_add_resliced",
        "workshop::bounds_checks::add_resliced",
        "indexed after reslicing",
    ),
    ("bc_add_zip", "workshop::bounds_checks::add_zip", "`zip`"),
    (
        "bc_add_unchecked",
        "workshop::bounds_checks::add_unchecked",
        "`get_unchecked`",
    ),
    (
        "bc_sum_indexed",
        "workshop::bounds_checks::sum_indexed",
        "indexed by the slice's own range",
    ),
    (
        "bc_rows_indexed",
        "workshop::bounds_checks::rows_indexed",
        "rows indexed as `r * width + c`",
    ),
    (
        "bc_rows_sliced",
        "workshop::bounds_checks::rows_sliced",
        "each row sliced first",
    ),
    (
        "bc_rows_chunks",
        "workshop::bounds_checks::rows_chunks",
        "rows as `chunks_exact`, elements as `zip`",
    ),
    (
        "bc_lookup_slice",
        "workshop::bounds_checks::lookup_slice",
        "a table as a slice",
    ),
    (
        "bc_lookup_array",
        "workshop::bounds_checks::lookup_array",
        "a table as `&[u32; 256]`",
    ),
    (
        "bc_lookup_by_fours",
        "workshop::bounds_checks::lookup_checked_by_fours",
        "a slice, unrolled by hand, checks kept",
    ),
    (
        "bc_lookup_converted",
        "workshop::bounds_checks::lookup_converted",
        "a slice made a `&[u32; 256]` once",
    ),
    (
        "bc_deltas",
        "workshop::solutions::bounds_checks::deltas",
        "the exercise's solution",
    ),
];

/// (anchor, listings): tables of the bounds checks and SSE instructions of each listing.
const CHECKS: &[(&str, &[&str])] = &[
    (
        "bc_checks",
        &[
            "bc_add_indexed",
            "bc_add_asserted",
            "bc_add_resliced",
            "bc_add_zip",
            "bc_add_unchecked",
            "bc_sum_indexed",
            "bc_rows_indexed",
            "bc_rows_sliced",
            "bc_rows_chunks",
            "bc_lookup_slice",
            "bc_lookup_array",
            "bc_lookup_by_fours",
            "bc_lookup_converted",
        ],
    ),
    ("bc_deltas_checks", &["bc_deltas"]),
];

/// (anchor, listings): tables of what each listing does, side by side.
const COMPARE: &[(&str, &[&str])] = &[
    ("count_keys", &["count_keys_loop", "count_keys_fold"]),
    (
        "cells",
        &["cells_refcell_each", "cells_refcell_once", "cells_plain"],
    ),
];

/// (anchor, listing, listing): pairs whose code the text says is the same.
const SAME: &[(&str, &str, &str)] = &[
    ("defer_same", "defer_guard_scope", "defer_explicit_drop"),
    ("cells_same", "cells_cell", "cells_plain"),
];

#[derive(Serialize, Deserialize)]
struct Results {
    stamp: Stamp,
    /// `cargo asm --version`.
    tool: String,
    listings: Vec<Listing>,
}

#[derive(Serialize, Deserialize)]
struct Listing {
    anchor: String,
    function: String,
    about: String,
    /// The listing as `cargo asm --intel --simplify` prints it.
    lines: Vec<String>,
}

pub fn run(repo: &Repo, stamp: &Stamp) -> Result {
    let tool = tool_version()?;
    // The `asm` profile inherits the bench profile and changes nothing.
    let stamp = Stamp {
        build: Some(crate::profile::build(repo, "bench")),
        ..stamp.clone()
    };
    let mut listings = Vec::new();
    for (anchor, function, about) in LISTINGS {
        let mut cargo = repo.cargo();
        cargo.args(["asm", "-p", "workshop", "--lib", "--profile", "asm"]);
        cargo.args(["--intel", "--simplify", "--no-color", function]);
        let out = output(&mut cargo, &format!("cargo asm {function}"))?;
        let lines: Vec<String> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_owned)
            .collect();
        if lines.is_empty() || lines.iter().any(|l| l.starts_with("Try one of those")) {
            return Err(fail(format!(
                "cargo asm found no single function {function}: {}",
                lines.join(" / ")
            )));
        }
        println!("{function}: {} lines", lines.len());
        listings.push(Listing {
            anchor: anchor.to_string(),
            function: function.to_string(),
            about: about.to_string(),
            lines,
        });
    }
    let results = Results {
        stamp,
        tool,
        listings,
    };
    write_results(repo, NAME, &results)?;
    write_generated(repo, NAME, &render(&results)?)
}

fn tool_version() -> Result<String> {
    let out = Command::new("cargo").args(["asm", "--version"]).output();
    match out {
        Ok(out) if out.status.success() => {
            Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
        }
        _ => Err(fail(
            "figures asm needs cargo-show-asm: cargo install cargo-show-asm --locked",
        )),
    }
}

/// A listing with its labels renamed in order of appearance (`.LBB1980_17` → `.L1`) and the
/// function's own name line dropped, so that two functions compare by their instructions.
fn normalized(lines: &[String]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    lines
        .iter()
        .skip(1)
        .map(|line| {
            line.split_inclusive(|c: char| {
                !(c.is_ascii_alphanumeric() || "._$".contains(c))
            })
            .map(|piece| {
                let word = piece.trim_end_matches(|c: char| {
                    !(c.is_ascii_alphanumeric() || "._$".contains(c))
                });
                if word.starts_with(".L") {
                    let n = match names.iter().position(|w| w == word) {
                        Some(n) => n,
                        None => {
                            names.push(word.to_string());
                            names.len() - 1
                        }
                    };
                    format!(".L{n}{}", &piece[word.len()..])
                } else {
                    piece.to_string()
                }
            })
            .collect()
        })
        .collect()
}

/// Moves of 16 bytes between a register and the stack (`xmmword ptr [rsp …]`): a value too
/// large for the general registers, kept in memory.
fn stack_moves(lines: &[String]) -> usize {
    lines
        .iter()
        .filter(|l| l.contains("xmmword ptr [rsp"))
        .count()
}

/// Calls to the functions a failed bounds check panics through: `panic_bounds_check` for an
/// index, `slice_index_fail` (and its older, finer-grained names) for a range.
fn bounds_checks(lines: &[String]) -> usize {
    const PANICS: [&str; 5] = [
        "panic_bounds_check",
        "slice_index_fail",
        "slice_start_index_len_fail",
        "slice_end_index_len_fail",
        "slice_index_order_fail",
    ];
    lines
        .iter()
        .map(|l| l.trim())
        .filter(|l| l.starts_with("call") || l.starts_with("jmp"))
        .filter(|l| PANICS.iter().any(|p| l.contains(p)))
        .count()
}

/// Instructions that name an SSE register (`xmm`): in these loops, the vectorized part.
fn sse_instructions(lines: &[String]) -> usize {
    lines.iter().skip(1).filter(|l| l.contains("xmm")).count()
}

/// Instructions of a listing: lines that are neither labels nor directives.
fn instructions(lines: &[String]) -> usize {
    lines
        .iter()
        .skip(1)
        .map(|l| l.trim())
        .filter(|l| !l.is_empty() && !l.ends_with(':') && !l.starts_with('.'))
        .count()
}

fn render(results: &Results) -> Result<String> {
    let mut out = format!(
        "<!-- Generated by `cargo xtask figures {NAME}` from results/figures/{NAME}.json \
         ({}). Do not edit. -->\n\n",
        results.tool
    );
    let find = |anchor: &str| {
        results
            .listings
            .iter()
            .find(|l| l.anchor == anchor)
            .ok_or_else(|| fail(format!("figures asm: no listing {anchor}")))
    };
    for l in &results.listings {
        let body = format!(
            "`{}`, {}: {} instructions\n\n```x86asm\n{}\n```",
            l.function,
            l.about,
            instructions(&l.lines),
            l.lines.join("\n")
        );
        out.push_str(&anchored(&l.anchor, &body, &results.stamp));
        out.push('\n');
    }
    for (anchor, names) in COMPARE {
        let mut body = String::from(
            "| function | instructions | 16-byte moves to or from the stack |\n| :-- | --: | --: |\n",
        );
        for name in *names {
            let l = find(name)?;
            body.push_str(&format!(
                "| `{}` | {} | {} |\n",
                l.function,
                instructions(&l.lines),
                stack_moves(&l.lines)
            ));
        }
        out.push_str(&anchored(anchor, &body, &results.stamp));
        out.push('\n');
    }
    for (anchor, names) in CHECKS {
        let mut body = String::from(
            "| function | what | instructions | bounds-check panics | SSE (`xmm`) instructions |\n\
             | :-- | :-- | --: | --: | --: |\n",
        );
        for name in *names {
            let l = find(name)?;
            body.push_str(&format!(
                "| `{}` | {} | {} | {} | {} |\n",
                l.function.rsplit("::").next().unwrap_or(&l.function),
                l.about,
                instructions(&l.lines),
                bounds_checks(&l.lines),
                sse_instructions(&l.lines)
            ));
        }
        out.push_str(&anchored(anchor, &body, &results.stamp));
        out.push('\n');
    }
    for (anchor, a, b) in SAME {
        let (a, b) = (find(a)?, find(b)?);
        let same = normalized(&a.lines) == normalized(&b.lines);
        let body = format!(
            "| function | instructions |\n| :-- | --: |\n| `{}` | {} |\n| `{}` | {} |\n\n\
             The two listings are {} once their labels are numbered in order (labels name \
             jump targets and constants, such as the source location a panic reports: the \
             same code may point at different ones).",
            a.function,
            instructions(&a.lines),
            b.function,
            instructions(&b.lines),
            if same {
                "identical"
            } else {
                "**not** identical"
            }
        );
        out.push_str(&anchored(anchor, &body, &results.stamp));
        out.push('\n');
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_renamed_in_order_and_instructions_counted() {
        let a: Vec<String> =
            ["f:", "\tjne .LBB12_3", "\tmov eax, 1", ".LBB12_3:", "\tret"]
                .map(String::from)
                .to_vec();
        let b: Vec<String> =
            ["g:", "\tjne .LBB40_7", "\tmov eax, 1", ".LBB40_7:", "\tret"]
                .map(String::from)
                .to_vec();
        assert_eq!(normalized(&a), normalized(&b));
        assert_eq!(normalized(&a)[0], "\tjne .L0");
        assert_eq!(instructions(&a), 3);
        let c: Vec<String> = ["h:", "\tjne .LBB1_3", "\tmov eax, 2", ".LBB1_3:", "\tret"]
            .map(String::from)
            .to_vec();
        assert_ne!(normalized(&a), normalized(&c));
        let moves: Vec<String> = [
            "f:",
            "\tmovaps xmmword ptr [rsp + 16], xmm0",
            "\tmovaps xmm1, xmm0",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(stack_moves(&moves), 1);
        let checked: Vec<String> = [
            "f:",
            "\tmovdqu xmm0, xmmword ptr [rdi]",
            "\tcall qword ptr [rip + core::panicking::panic_bounds_check@GOTPCREL]",
            "\tcall qword ptr [rip + core::slice::index::slice_index_fail@GOTPCREL]",
            "\tcall qword ptr [rip + core::panicking::panic_fmt@GOTPCREL]",
            "\tlea rdx, [rip + .Lanon.panic_bounds_check.1]",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(bounds_checks(&checked), 2);
        assert_eq!(sse_instructions(&checked), 1);
    }
}
