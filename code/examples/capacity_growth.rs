//! How a `Vec`'s capacity grows as you push, with the standard library you compile with:
//! `cargo run -p workshop --example capacity_growth`. The Vec and slices chapter shows
//! this program; it does not print its output, because your toolchain prints your own.

use workshop::vec_and_slices::capacity_growth;

/// Prints the capacities one element type goes through while `n` values are pushed.
fn show<T: Default>(type_name: &str, n: usize) {
    let capacities: Vec<String> = capacity_growth::<T>(n)
        .iter()
        .map(|(_, capacity)| capacity.to_string())
        .collect();
    println!(
        "Vec<{type_name}>, {n} pushes, {} buffers: {}",
        capacities.len() - 1,
        capacities.join(" → ")
    );
}

fn main() {
    if std::env::args().len() > 1 {
        eprintln!(
            "usage: cargo run -p workshop --example capacity_growth (no arguments)"
        );
        std::process::exit(2);
    }
    show::<u8>("u8", 1_000);
    show::<u64>("u64", 1_000);
    show::<String>("String", 1_000);
}
