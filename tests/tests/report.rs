//! Prints how many rust blocks of each chapter the `snippets` tests cover, so that every
//! `cargo test --workspace` shows it (a chapter whose blocks went untested stands out as zeros).
//! A plain `main` (`harness = false`): there is nothing to test, only something to say.

fn main() {
    print!(
        "{}",
        include_str!(concat!(env!("OUT_DIR"), "/snippet-report.txt"))
    );
}
